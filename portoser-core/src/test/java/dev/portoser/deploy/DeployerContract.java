package dev.portoser.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Deployer} must do, whatever runs its services: deploying twice with the same configuration
 * changes nothing, a changed configuration restarts, stop is idempotent, and status tells the truth after a crash.
 * Each deployer's test extends this and says how it makes a context (in two configurations that differ) and how it
 * kills the running instance behind the deployer's back (a process, a container, a unit).
 */
public abstract class DeployerContract {

    /** The deployer under test. */
    protected abstract Deployer deployer() throws Exception;

    /**
     * A context for one service on a real (or fake) machine; the same {@code variant} always gives the same
     * configuration, and variants 0 and 1 differ in it (an environment value, say).
     *
     * @param variant 0 or 1
     * @return the context
     */
    protected abstract DeployContext context(int variant) throws Exception;

    /**
     * Ends the service's running instance without the deployer (SIGKILL of its process, {@code docker kill} of its
     * containers), as a crash would.
     *
     * @param context the context it was deployed with
     */
    protected abstract void crash(DeployContext context) throws Exception;

    /** Removes what the tests deployed; subclasses may add their own clean-up. */
    @AfterEach
    void removeTheService() throws Exception {
        try {
            deployer().remove(context(0));
        } finally {
            cleanUp();
        }
    }

    /** Runs after the service was removed, last of all (JUnit runs a subclass's own {@code @AfterEach} first). */
    protected void cleanUp() throws Exception {
    }

    @Test
    void deployingTwiceWithTheSameConfigurationChangesNothing() throws Exception {
        Deployer d = deployer();
        DeployResult first = d.deploy(context(0));
        assertThat(first.change()).isEqualTo(DeployResult.Change.STARTED);
        ServiceStatus running = d.status(context(0));
        assertThat(running.state()).as(running.detail()).isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(running.ids()).isNotEmpty();

        DeployResult second = d.deploy(context(0));

        assertThat(second.change()).as(second.detail()).isEqualTo(DeployResult.Change.UNCHANGED);
        ServiceStatus after = d.status(context(0));
        assertThat(after.ids()).as("the same instance still runs").isEqualTo(running.ids());
        assertThat(after.configDigest()).isEqualTo(running.configDigest());
    }

    @Test
    void aChangedConfigurationRestarts() throws Exception {
        Deployer d = deployer();
        d.deploy(context(0));
        ServiceStatus before = d.status(context(0));

        DeployResult changed = d.deploy(context(1));

        assertThat(changed.change()).as(changed.detail()).isEqualTo(DeployResult.Change.RESTARTED);
        ServiceStatus after = d.status(context(1));
        assertThat(after.state()).as(after.detail()).isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(after.ids()).as("a new instance runs").isNotEmpty().isNotEqualTo(before.ids());
        assertThat(after.configDigest()).isNotEqualTo(before.configDigest());
        assertThat(d.deploy(context(1)).change()).isEqualTo(DeployResult.Change.UNCHANGED);
    }

    @Test
    void stopIsIdempotent() throws Exception {
        Deployer d = deployer();
        d.stop(context(0)); // never deployed: nothing to do, and no error
        assertThat(d.status(context(0)).state()).isEqualTo(ServiceStatus.State.STOPPED);
        d.deploy(context(0));

        d.stop(context(0));
        ServiceStatus stopped = d.status(context(0));
        d.stop(context(0));

        assertThat(stopped.state()).as(stopped.detail()).isEqualTo(ServiceStatus.State.STOPPED);
        assertThat(stopped.ids()).isEmpty();
        assertThat(d.status(context(0)).state()).isEqualTo(ServiceStatus.State.STOPPED);
        d.start(context(0));
        assertThat(d.status(context(0)).state()).isEqualTo(ServiceStatus.State.RUNNING);
    }

    @Test
    void statusTellsTheTruthAfterACrash() throws Exception {
        Deployer d = deployer();
        d.deploy(context(0));
        assertThat(d.status(context(0)).isRunning()).isTrue();

        crash(context(0));

        ServiceStatus seen = d.status(context(0));
        assertThat(seen.state()).as(seen.detail()).isNotEqualTo(ServiceStatus.State.RUNNING)
                .isNotEqualTo(ServiceStatus.State.UNKNOWN);
        assertThat(seen.ids()).isEmpty();
        DeployResult again = d.deploy(context(0));
        assertThat(again.changed()).as("deploying after a crash starts it again: " + again.detail()).isTrue();
        assertThat(d.status(context(0)).isRunning()).isTrue();
    }
}

package dev.portoser.examples;

import dev.portoser.deploy.MachineLayout;
import dev.portoser.deploy.NativeUnits;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.registry.ServiceType;
import java.nio.file.Path;
import java.util.List;

/**
 * Prints the systemd unit that {@code portoser deploy} would install for a {@code native} service of a registry,
 * with {@link NativeUnits}: a user unit when the machine's login is not root (as in the example registry), ordered
 * after the service's dependencies that are native services on the same machine. On a real deploy the program is
 * resolved on the machine and the systemd version probed there; here they are given.
 */
public final class RenderSystemdUnit {
    private RenderSystemdUnit() {
    }

    /** Usage: {@code RenderSystemdUnit REGISTRY SERVICE [NAME=VALUE...]}. */
    public static void main(String[] args) {
        var loader = Registry.loader();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            loader.variable(kv[0], kv[1]);
        }
        Registry registry = loader.build().load(Path.of(args[0]));
        Service service = registry.service(args[1]).orElseThrow(() ->
                new IllegalArgumentException("no service " + args[1] + " in " + args[0]));
        Machine machine = registry.machine(service.machine()).orElseThrow();
        // Same-machine native dependencies become After=/Wants= (the deployer keeps those whose unit exists there).
        List<String> after = service.dependsOn().stream().map(registry::service).flatMap(java.util.Optional::stream)
                .filter(d -> d.type() == ServiceType.NATIVE && d.machine().equals(service.machine()))
                .map(MachineLayout::unitName).toList();
        boolean root = machine.user().equals("root");
        String home = root ? "/root" : "/home/" + machine.user();
        String program = service.command().strip().split("\\s+")[0];
        String executable = program.startsWith("/") ? program : "/usr/bin/" + program; // resolved on the machine
        NativeUnits.Target target = NativeUnits.Target.of(executable, home, root, 254).withDependencies(after);

        String dir = root ? MachineLayout.SYSTEM_UNITS : home + "/" + MachineLayout.USER_UNITS;
        System.out.println("# " + dir + "/" + MachineLayout.unitName(service) + " on " + machine.name() + " ("
                + (root ? "system unit" : "user unit of " + machine.user() + ", with linger") + ", systemd 254)");
        System.out.print(NativeUnits.systemd(service, target));
    }
}

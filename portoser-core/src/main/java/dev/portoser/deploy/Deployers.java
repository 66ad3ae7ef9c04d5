package dev.portoser.deploy;

import dev.portoser.registry.ServiceType;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The deployers of the service types, one per type: what the executor, the health monitor and the CLI use to act
 * on and look at services. Immutable and thread-safe.
 */
public final class Deployers {
    private final Map<ServiceType, Deployer> byType;

    private Deployers(Map<ServiceType, Deployer> byType) {
        this.byType = Collections.unmodifiableMap(new EnumMap<>(byType));
    }

    /**
     * The built-in deployers with their defaults, one for every type of the registry.
     *
     * @return the built-in deployers with their defaults, one for every type of the registry
     */
    public static Deployers defaults() {
        return of(new LocalProcessDeployer(), new DockerComposeDeployer(), new NativeServiceDeployer());
    }

    /**
     * These deployers (a later one replaces an earlier one of the same type).
     *
     * @param deployers the deployers
     * @return the set
     */
    public static Deployers of(Deployer... deployers) {
        Map<ServiceType, Deployer> map = new EnumMap<>(ServiceType.class);
        for (Deployer d : deployers) {
            map.put(d.type(), d);
        }
        return new Deployers(map);
    }

    /**
     * These deployers with one added or replaced.
     *
     * @param deployer the deployer
     * @return a new set
     */
    public Deployers with(Deployer deployer) {
        Map<ServiceType, Deployer> map = new EnumMap<>(ServiceType.class);
        map.putAll(byType);
        map.put(deployer.type(), deployer);
        return new Deployers(map);
    }

    /**
     * The deployer of a type, if there is one.
     *
     * @param type the type
     * @return the deployer of a type, if there is one
     */
    public Optional<Deployer> forType(ServiceType type) {
        return Optional.ofNullable(byType.get(type));
    }

    /**
     * Every deployer.
     *
     * @return every deployer
     */
    public Collection<Deployer> all() {
        return byType.values();
    }
}

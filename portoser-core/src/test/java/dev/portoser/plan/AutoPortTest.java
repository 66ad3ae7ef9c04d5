package dev.portoser.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.plan.internal.PortAssigner;
import dev.portoser.registry.Registry;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code port: auto}: chosen from the registry alone, the same every time, never clashing. */
class AutoPortTest {
    static String registry(String extra) {
        return """
                machines:
                  m1: {host: h1, user: u, platform: linux}
                  m2: {host: h2, user: u, platform: linux}
                services:
                  a: {type: local, path: /srv/a, machine: m1, command: ./a, port: auto}
                  b: {type: local, path: /srv/b, machine: m1, command: ./b, port: auto}
                  c: {type: local, path: /srv/c, machine: m2, command: ./c, port: auto}
                """ + extra;
    }

    @Test
    void autoPortsAreInTheRangeDistinctPerMachineAndInThePlan() {
        Planner planner = Planner.of(Registry.parse(registry("")));
        assertThat(planner.assignedPorts()).containsOnlyKeys("a", "b", "c");
        assertThat(planner.assignedPorts().values()).allSatisfy(p -> assertThat(p).isBetween(20_000, 29_999));
        assertThat(planner.assignedPorts().get("a")).isNotEqualTo(planner.assignedPorts().get("b"));
        Plan plan = planner.deploy("a");
        assertThat(plan.assignedPorts()).containsExactly(java.util.Map.entry("a", planner.assignedPorts().get("a")));
        assertThat(plan.steps().get(0).port()).isEqualTo(planner.assignedPorts().get("a"));
    }

    @Test
    void anAssignmentStaysTheSameWhenOtherServicesComeAndGo() {
        int before = Planner.of(Registry.parse(registry(""))).assignedPorts().get("a");
        String more = "  d: {type: local, path: /srv/d, machine: m1, command: ./d, port: auto}\n"
                + "  e: {type: local, path: /srv/e, machine: m1, command: ./e, port: 9000}\n";
        assertThat(Planner.of(Registry.parse(registry(more))).assignedPorts().get("a")).isEqualTo(before);
    }

    @Test
    void aPortTheRegistryUsesIsNeverChosen() {
        int natural = Planner.of(Registry.parse(registry(""))).assignedPorts().get("a");
        String taken = "  x: {type: local, path: /srv/x, machine: m1, command: ./x, port: " + natural + "}\n";
        int moved = Planner.of(Registry.parse(registry(taken))).assignedPorts().get("a");
        assertThat(moved).isNotEqualTo(natural);
        assertThat(moved).isBetween(20_000, 29_999);
    }

    @Test
    void twoServicesWhoseNaturalPortsCollideGetDifferentPorts() {
        Set<Integer> used = new HashSet<>();
        int first = PortAssigner.choose("same", used);
        int second = PortAssigner.choose("same", used);
        assertThat(second).isEqualTo(first == PortAssigner.LAST ? PortAssigner.FIRST : first + 1);
    }
}

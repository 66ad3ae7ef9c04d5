package dev.portoser.plan;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders plans for people ({@code --dry-run} text) and for graph tools (Graphviz DOT, Mermaid). Stateless. */
public final class PlanRenderer {
    private PlanRenderer() {
    }

    /**
     * The {@code --dry-run} text of a plan.
     *
     * @param plan the plan; must not be null
     * @return a header line, then each wave with one aligned line per step
     */
    public static String text(Plan plan) {
        StringBuilder sb = new StringBuilder();
        List<List<Step>> waves = plan.waves();
        sb.append("Plan: ").append(plan.action().name().toLowerCase(Locale.ROOT)).append(' ').append(plan.scope())
                .append(" — ").append(count(plan.steps().size(), "step")).append(" in ")
                .append(count(waves.size(), "wave")).append(", registry ")
                .append(plan.registryFingerprint(), 0, Math.min(12, plan.registryFingerprint().length()))
                .append('\n');
        if (plan.steps().isEmpty()) {
            return sb.append("Nothing to do.\n").toString();
        }
        int action = 0;
        int service = 0;
        int machine = 0;
        int type = 0;
        for (Step s : plan.steps()) {
            action = Math.max(action, s.action().name().length());
            service = Math.max(service, s.service().length());
            machine = Math.max(machine, where(s).length());
            type = Math.max(type, s.type().yamlName().length());
        }
        for (int w = 0; w < waves.size(); w++) {
            sb.append("Wave ").append(w + 1).append('\n');
            for (Step s : waves.get(w)) {
                sb.append("  ").append(pad(s.action().name(), action)).append("  ").append(pad(s.service(), service))
                        .append("  ").append(pad(where(s), machine)).append("  ").append(pad(s.type().yamlName(), type))
                        .append("  ").append(s.reason());
                if (!s.healthGates().isEmpty()) {
                    sb.append("; starts when ").append(String.join(", ", s.healthGates()))
                            .append(s.healthGates().size() == 1 ? " is" : " are").append(" healthy");
                }
                if (s.port() != null) {
                    sb.append("; port ").append(s.port()).append(" (auto)");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * A Graphviz DOT graph: one box per step, an arrow from each step to the steps that wait for it.
     *
     * @param plan the plan; must not be null
     * @return the DOT text
     */
    public static String dot(Plan plan) {
        StringBuilder sb = new StringBuilder("digraph portoser {\n  rankdir=LR;\n  node [shape=box];\n");
        for (Step s : plan.steps()) {
            sb.append("  ").append(dotQuote(s.id())).append(" [label=")
                    .append(dotQuote(s.action() + " " + s.service() + "\\n" + where(s) + " (" + s.type().yamlName() + ")"))
                    .append("];\n");
        }
        for (Step s : plan.steps()) {
            for (String before : s.waitsFor()) {
                sb.append("  ").append(dotQuote(before)).append(" -> ").append(dotQuote(s.id())).append(";\n");
            }
        }
        return sb.append("}\n").toString();
    }

    /**
     * A Mermaid flowchart: one node per step, an arrow from each step to the steps that wait for it.
     *
     * @param plan the plan; must not be null
     * @return the Mermaid text
     */
    public static String mermaid(Plan plan) {
        StringBuilder sb = new StringBuilder("flowchart LR\n");
        Map<String, String> ids = new HashMap<>();
        for (Step s : plan.steps()) {
            String id = "s" + ids.size();
            ids.put(s.id(), id);
            sb.append("  ").append(id).append("[\"").append(mermaidText(s.action() + " " + s.service() + " "
                    + where(s) + " (" + s.type().yamlName() + ")")).append("\"]\n");
        }
        for (Step s : plan.steps()) {
            for (String before : s.waitsFor()) {
                sb.append("  ").append(ids.get(before)).append(" --> ").append(ids.get(s.id())).append('\n');
            }
        }
        return sb.toString();
    }

    private static String where(Step s) {
        return s.fromMachine() == null ? "on " + s.machine() : s.fromMachine() + " -> " + s.machine();
    }

    private static String dotQuote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\\\\n", "\\n") + "\"";
    }

    private static String mermaidText(String text) {
        return text.replace("\"", "#quot;");
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }

    private static String count(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}

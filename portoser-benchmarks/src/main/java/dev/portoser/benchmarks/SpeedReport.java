package dev.portoser.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks and sums up the runs of the deploy-speed harness. {@code runs.tsv} holds one line a run:
 * {@code KIND TOOL ROUND SECONDS RUNDIR}. A deploy run ({@code KIND} = {@code deploy-DELAY}) or a no-change redeploy
 * ({@code redeploy}) is checked from its {@code RUNDIR}: {@code logs/NAME.log} (the lines the services wrote
 * themselves) and {@code answers} ({@code NAME HTTPCODE} a line, probed after the run). A run is good when every
 * service answered 200, started exactly once, and started only after each of its dependencies served. Other kinds
 * ({@code connect}, {@code fanout}) are only timed.
 */
public final class SpeedReport {
    /** One timed run. */
    record Run(String kind, String tool, int round, double seconds, String dir) {
    }

    private SpeedReport() {
    }

    static List<Run> parseRuns(List<String> lines) {
        List<Run> runs = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            if (f.length < 4) {
                throw new IllegalArgumentException("runs.tsv: a line needs KIND TOOL ROUND SECONDS [RUNDIR]: " + line);
            }
            runs.add(new Run(f[0], f[1], Integer.parseInt(f[2]), Double.parseDouble(f[3]), f.length > 4 ? f[4] : ""));
        }
        return runs;
    }

    /**
     * What is wrong with one run, from the services' own logs and the probe after it.
     *
     * @param dependencies {@code NAME HOST PORT DEP...} lines
     * @param logs each service's log lines ({@code start|serve NAME EPOCH PID})
     * @param answers each service's HTTP status after the run
     * @return the problems, empty when the run is good
     */
    static List<String> check(List<String> dependencies, Map<String, List<String>> logs, Map<String, String> answers) {
        List<String> problems = new ArrayList<>();
        Map<String, List<Double>> starts = new HashMap<>();
        Map<String, Double> firstServe = new HashMap<>();
        for (Map.Entry<String, List<String>> e : logs.entrySet()) {
            for (String line : e.getValue()) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 3) {
                    continue;
                }
                double t = Double.parseDouble(f[2]);
                if (f[0].equals("start")) {
                    starts.computeIfAbsent(f[1], k -> new ArrayList<>()).add(t);
                } else if (f[0].equals("serve")) {
                    firstServe.merge(f[1], t, Math::min);
                }
            }
        }
        for (String line : dependencies) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            String name = f[0];
            if (!"200".equals(answers.get(name))) {
                problems.add(name + " did not answer 200 after the run (got " + answers.getOrDefault(name, "nothing") + ")");
            }
            List<Double> s = starts.getOrDefault(name, List.of());
            if (s.size() != 1) {
                problems.add(name + " started " + s.size() + " times, not once");
            }
            if (!firstServe.containsKey(name)) {
                problems.add(name + " never served");
            }
            for (String dep : Arrays.asList(f).subList(3, f.length)) {
                Double served = firstServe.get(dep);
                for (double started : s) {
                    if (served == null || started < served) {
                        problems.add(String.format(Locale.ROOT, "%s started before its dependency %s served (%s)", name, dep,
                                served == null ? "it never did" : String.format(Locale.ROOT, "%.3f s early", served - started)));
                    }
                }
            }
        }
        return problems;
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Medians by kind, then by tool (in the order the tools first appear). */
    static Map<String, Map<String, Double>> medians(List<Run> runs) {
        Map<String, Map<String, List<Double>>> by = new TreeMap<>();
        for (Run r : runs) {
            by.computeIfAbsent(r.kind(), k -> new LinkedHashMap<>()).computeIfAbsent(r.tool(), k -> new ArrayList<>())
                    .add(r.seconds());
        }
        Map<String, Map<String, Double>> out = new TreeMap<>();
        by.forEach((kind, tools) -> {
            Map<String, Double> m = new LinkedHashMap<>();
            tools.forEach((tool, v) -> m.put(tool, median(v)));
            out.put(kind, m);
        });
        return out;
    }

    /**
     * The table: per deploy workload the floor (critical path of delays + the median cold connect), each tool's
     * median and its ratio to the bash script; then the redeploy and the fan-out.
     *
     * @param runs the runs (only good ones)
     * @param criticalPath critical path of start delays for each deploy kind
     * @return Markdown text
     */
    static String table(List<Run> runs, Map<String, Double> criticalPath) {
        Map<String, Map<String, Double>> m = medians(runs);
        double connect = m.getOrDefault("connect", Map.of()).getOrDefault("ssh", Double.NaN);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "rounds: %d; median cold OpenSSH connect: %.3f s%n%n",
                runs.stream().mapToInt(Run::round).max().orElse(0), connect));
        b.append("| workload | physical floor | bash + OpenSSH | Ansible | Portoser | Portoser / bash | Ansible / Portoser |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        m.forEach((kind, tools) -> {
            if (!kind.startsWith("deploy-")) {
                return;
            }
            double floor = criticalPath.getOrDefault(kind, Double.NaN) + connect;
            double bash = tools.getOrDefault("bash", Double.NaN);
            double ansible = tools.getOrDefault("ansible", Double.NaN);
            double portoser = tools.getOrDefault("portoser", Double.NaN);
            b.append(String.format(Locale.ROOT, "| %s s start delay | %.2f s | %.2f s | %.2f s | %.2f s | %.2f× | %.2f× |%n",
                    kind.substring("deploy-".length()), floor, bash, ansible, portoser, portoser / bash, ansible / portoser));
        });
        Map<String, Double> re = m.get("redeploy");
        if (re != null) {
            b.append(String.format(Locale.ROOT, "%nno-change redeploy of the 30 services (Portoser): %.2f s (target ≤ 1.0 s)%n",
                    re.getOrDefault("portoser", Double.NaN)));
        }
        Map<String, Double> fan = m.get("fanout");
        if (fan != null) {
            b.append(String.format(Locale.ROOT, "fan-out `hostname` on %s: portoser exec --all %.2f s, parallel cold OpenSSH %.2f s%n",
                    "the fan-out hosts", fan.getOrDefault("portoser", Double.NaN), fan.getOrDefault("ssh", Double.NaN)));
        }
        return b.toString();
    }

    /**
     * Checks every run under {@code dir} and prints the table; exit status 1 when a run was bad.
     *
     * @param dir the harness's result directory (runs.tsv, dependencies-DELAY, run directories)
     * @return the report text
     * @throws IOException when a file cannot be read
     */
    static Report report(Path dir) throws IOException {
        List<Run> runs = parseRuns(Files.readAllLines(dir.resolve("runs.tsv")));
        List<Run> good = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        Map<String, Double> critical = new HashMap<>();
        for (Run r : runs) {
            if (r.kind().startsWith("deploy-") || r.kind().equals("redeploy")) {
                String delay = r.kind().equals("redeploy") ? "1.0" : r.kind().substring("deploy-".length());
                List<String> deps = Files.readAllLines(dir.resolve("dependencies-" + delay));
                critical.put("deploy-" + delay, Double.parseDouble(delay) * SpeedWorkload.LEVELS);
                Path run = dir.resolve(r.dir());
                Map<String, List<String>> logs = new HashMap<>();
                Path logDir = run.resolve("logs");
                if (Files.isDirectory(logDir)) {
                    try (var files = Files.list(logDir)) {
                        for (Path f : (Iterable<Path>) files::iterator) {
                            logs.put(f.getFileName().toString(), Files.readAllLines(f));
                        }
                    }
                }
                Map<String, String> answers = new HashMap<>();
                if (Files.exists(run.resolve("answers"))) {
                    for (String line : Files.readAllLines(run.resolve("answers"))) {
                        String[] f = line.trim().split("\\s+");
                        if (f.length == 2) {
                            answers.put(f[0], f[1]);
                        }
                    }
                }
                List<String> problems = check(deps, logs, answers);
                if (!problems.isEmpty()) {
                    bad.add(r.kind() + " " + r.tool() + " round " + r.round() + ": " + String.join("; ", problems));
                    continue;
                }
            }
            good.add(r);
        }
        return new Report(table(good, critical), bad);
    }

    /** The table and the runs that failed their check. */
    record Report(String table, List<String> bad) {
    }
}

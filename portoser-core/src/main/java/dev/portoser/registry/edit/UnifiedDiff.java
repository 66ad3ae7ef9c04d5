package dev.portoser.registry.edit;

import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff of two texts, line by line, as {@code diff -u} prints it. The common head and tail are skipped
 * before the longest common subsequence of the rest is computed, so an edit of a few lines in a large registry
 * costs little. Line ends are not shown ({@code \r} is dropped).
 */
final class UnifiedDiff {
    private static final int CONTEXT = 3;
    private static final long MAX_CELLS = 16_000_000L;

    private UnifiedDiff() {
    }

    /**
     * The diff, empty when the texts are equal.
     *
     * @param fromName the name on the {@code ---} line
     * @param toName the name on the {@code +++} line
     */
    static String of(String fromName, String toName, String from, String to) {
        if (from.equals(to)) {
            return "";
        }
        List<String> a = lines(from);
        List<String> b = lines(to);
        // ops: ' ' kept, '-' removed, '+' added, each with its line
        List<char[]> kinds = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<int[]> positions = new ArrayList<>();
        int head = 0;
        while (head < a.size() && head < b.size() && a.get(head).equals(b.get(head))) {
            head++;
        }
        int tail = 0;
        while (tail < a.size() - head && tail < b.size() - head
                && a.get(a.size() - 1 - tail).equals(b.get(b.size() - 1 - tail))) {
            tail++;
        }
        for (int i = 0; i < head; i++) {
            add(kinds, texts, positions, ' ', a.get(i), i, i);
        }
        List<String> midA = a.subList(head, a.size() - tail);
        List<String> midB = b.subList(head, b.size() - tail);
        int n = midA.size();
        int m = midB.size();
        if ((long) (n + 1) * (m + 1) > MAX_CELLS) {
            for (int i = 0; i < n; i++) {
                add(kinds, texts, positions, '-', midA.get(i), head + i, head);
            }
            for (int j = 0; j < m; j++) {
                add(kinds, texts, positions, '+', midB.get(j), head + n, head + j);
            }
        } else {
            int[][] lcs = new int[n + 1][m + 1];
            for (int i = n - 1; i >= 0; i--) {
                for (int j = m - 1; j >= 0; j--) {
                    lcs[i][j] = midA.get(i).equals(midB.get(j)) ? lcs[i + 1][j + 1] + 1
                            : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
                }
            }
            int i = 0;
            int j = 0;
            while (i < n || j < m) {
                if (i < n && j < m && midA.get(i).equals(midB.get(j))) {
                    add(kinds, texts, positions, ' ', midA.get(i), head + i, head + j);
                    i++;
                    j++;
                } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
                    add(kinds, texts, positions, '-', midA.get(i), head + i, head + j);
                    i++;
                } else {
                    add(kinds, texts, positions, '+', midB.get(j), head + i, head + j);
                    j++;
                }
            }
        }
        for (int t = 0; t < tail; t++) {
            add(kinds, texts, positions, ' ', a.get(a.size() - tail + t), a.size() - tail + t, b.size() - tail + t);
        }
        StringBuilder out = new StringBuilder();
        out.append("--- ").append(fromName).append('\n').append("+++ ").append(toName).append('\n');
        int k = 0;
        int total = kinds.size();
        while (k < total) {
            if (kinds.get(k)[0] == ' ') {
                k++;
                continue;
            }
            int start = Math.max(0, k - CONTEXT);
            int end = k;
            int lastChange = k;
            while (end < total) {
                if (kinds.get(end)[0] != ' ') {
                    lastChange = end;
                } else if (end - lastChange > 2 * CONTEXT) {
                    break;
                }
                end++;
            }
            end = Math.min(total, lastChange + CONTEXT + 1);
            int aStart = positions.get(start)[0];
            int bStart = positions.get(start)[1];
            int aCount = 0;
            int bCount = 0;
            for (int x = start; x < end; x++) {
                char kind = kinds.get(x)[0];
                if (kind != '+') {
                    aCount++;
                }
                if (kind != '-') {
                    bCount++;
                }
            }
            out.append("@@ -").append(range(aStart, aCount)).append(" +").append(range(bStart, bCount))
                    .append(" @@\n");
            for (int x = start; x < end; x++) {
                out.append(kinds.get(x)[0]).append(texts.get(x)).append('\n');
            }
            k = end;
        }
        return out.toString();
    }

    private static String range(int start, int count) {
        return count == 0 ? start + ",0" : (start + 1) + (count == 1 ? "" : "," + count);
    }

    private static void add(List<char[]> kinds, List<String> texts, List<int[]> positions, char kind, String line,
                            int aIndex, int bIndex) {
        kinds.add(new char[] {kind});
        texts.add(line);
        positions.add(new int[] {aIndex, bIndex});
    }

    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            String line = text.substring(start, end);
            lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            start = nl < 0 ? text.length() : nl + 1;
        }
        return lines;
    }
}

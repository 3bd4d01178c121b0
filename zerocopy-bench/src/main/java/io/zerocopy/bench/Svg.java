package io.zerocopy.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Hand-written SVG charts: no chart library. */
final class Svg {

    private static final String FONT = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\"";
    private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

    private Svg() { }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String color(Row row) {
        if (row.name.equals("zc:auto")) {
            return "#c0392b";
        }
        switch (row.family) {
            case Row.TRADITIONAL: return "#8c8c8c";
            case Row.JDK: return "#4e79a7";
            case Row.ZEROCOPY: return "#f28e2b";
            case Row.NETTY: return "#59a14f";
            case GoPeer.FAMILY: return "#b07aa1";
            default: return "#76b7b2";
        }
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Horizontal bars per scenario: median MB/s, whiskers min-max, ratio to the traditional row. */
    static String throughputChart(List<Result> results, String title) {
        Map<Scenario, List<Result>> by = new LinkedHashMap<>();
        for (Result r : results) {
            if (r.active() && r.stats() != null) {
                by.computeIfAbsent(r.row.scenario, k -> new ArrayList<>()).add(r);
            }
        }
        int width = 1000;
        int left = 200;
        int right = 190;
        int rowH = 18;
        int head = 46;
        int height = 64;
        for (List<Result> l : by.values()) {
            height += head + l.size() * rowH + 10;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\" ")
                .append(FONT).append(" font-size=\"12\">\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append("<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">").append(esc(title)).append("</text>\n");
        sb.append("<text x=\"10\" y=\"38\" fill=\"#555\">median MB/s (10^6 B/s), whiskers min-max; in brackets: ratio to the"
                + " scenario's traditional row.</text>\n");
        sb.append("<text x=\"10\" y=\"52\" fill=\"#555\">grey: traditional; blue: JDK alone; orange: one zerocopy"
                + " strategy forced; red: ZeroCopy.transfer (default engine); green: Netty epoll; teal: C.</text>\n");
        int y = 62;
        int barW = width - left - right;
        for (Map.Entry<Scenario, List<Result>> e : by.entrySet()) {
            List<Result> l = e.getValue();
            double max = 0;
            double trad = Double.NaN;
            for (Result r : l) {
                max = Math.max(max, r.stats().mbpsHigh());
                if (r.row.family.equals(Row.TRADITIONAL)) {
                    trad = r.stats().mbps();
                }
            }
            double scale = niceCeil(max);
            sb.append("<text x=\"10\" y=\"").append(y + 18).append("\" font-size=\"13\" font-weight=\"bold\">")
                    .append(esc(e.getKey().title() + " (" + Options.human(l.get(0).stats().bytes)
                            + (e.getKey() == Scenario.BROADCAST ? " to each of " + Fanout.TARGETS
                            + " sockets; MB/s per target" : "") + ")"))
                    .append("</text>\n");
            int axisY = y + 30;
            for (int t = 0; t <= 5; t++) {
                double v = scale * t / 5;
                double x = left + barW * t / 5.0;
                sb.append("<line x1=\"").append(f(x)).append("\" y1=\"").append(axisY).append("\" x2=\"").append(f(x))
                        .append("\" y2=\"").append(axisY + 6 + l.size() * rowH).append("\" stroke=\"#ddd\"/>\n");
                sb.append("<text x=\"").append(f(x)).append("\" y=\"").append(axisY - 2)
                        .append("\" text-anchor=\"middle\" fill=\"#777\" font-size=\"10\">")
                        .append(String.format(Locale.ROOT, "%.0f", v)).append("</text>\n");
            }
            int ry = axisY + 6;
            for (Result r : l) {
                Stats s = r.stats();
                double w = barW * s.mbps() / scale;
                sb.append("<text x=\"").append(left - 6).append("\" y=\"").append(ry + 13)
                        .append("\" text-anchor=\"end\">").append(esc(r.row.name)).append("</text>\n");
                sb.append("<rect x=\"").append(left).append("\" y=\"").append(ry + 2).append("\" width=\"").append(f(w))
                        .append("\" height=\"").append(rowH - 4).append("\" fill=\"").append(color(r.row))
                        .append("\"/>\n");
                double x1 = left + barW * s.mbpsLow() / scale;
                double x2 = left + barW * s.mbpsHigh() / scale;
                int my = ry + rowH / 2;
                sb.append("<path d=\"M").append(f(x1)).append(' ').append(my).append(" H").append(f(x2))
                        .append(" M").append(f(x1)).append(' ').append(my - 4).append(" V").append(my + 4)
                        .append(" M").append(f(x2)).append(' ').append(my - 4).append(" V").append(my + 4)
                        .append("\" stroke=\"#222\" fill=\"none\"/>\n");
                String label = String.format(Locale.ROOT, "%.0f", s.mbps())
                        + (Double.isNaN(trad) ? "" : String.format(Locale.ROOT, " (%.2f\u00d7)", s.mbps() / trad));
                sb.append("<text x=\"").append(f(Math.max(x2, left + w) + 6)).append("\" y=\"").append(ry + 13)
                        .append("\">").append(esc(label)).append("</text>\n");
                ry += rowH;
            }
            y = ry + 14;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    static double niceCeil(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** Fixed colours per strategy, so that the charts of different runs can be compared. */
    static String lineColor(String row, int index) {
        switch (row) {
            case "zc:auto": return "#c0392b";
            case "zc:copy": return "#59a14f";
            case "zc:transferTo": return "#4e79a7";
            case "zc:mmap": return "#76b7b2";
            case "zc:splice": return "#f28e2b";
            case "zc:copyFileRange": return "#b07aa1";
            case "jdk:direct-loop": return "#7f7f7f";
            default: return PALETTE[index % PALETTE.length];
        }
    }

    /** One panel per scenario: MB/s (log) against transfer size (log2). */
    static String sizeChart(List<SizeSweep.Point> points, String title) {
        Map<Scenario, Map<String, List<SizeSweep.Point>>> by = new LinkedHashMap<>();
        for (SizeSweep.Point p : points) {
            by.computeIfAbsent(p.scenario(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(p.row(), k -> new ArrayList<>()).add(p);
        }
        int width = 1000;
        int panelH = 330;
        int height = 40 + by.size() * (panelH + 20);
        int left = 70;
        int plotW = 700;
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\" ")
                .append(FONT).append(" font-size=\"12\">\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append("<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">").append(esc(title)).append("</text>\n");
        int y0 = 40;
        for (Map.Entry<Scenario, Map<String, List<SizeSweep.Point>>> e : by.entrySet()) {
            double minS = Double.MAX_VALUE;
            double maxS = 0;
            double minV = Double.MAX_VALUE;
            double maxV = 0;
            for (List<SizeSweep.Point> l : e.getValue().values()) {
                for (SizeSweep.Point p : l) {
                    minS = Math.min(minS, p.size());
                    maxS = Math.max(maxS, p.size());
                    minV = Math.min(minV, p.mbps());
                    maxV = Math.max(maxV, p.mbps());
                }
            }
            double lx0 = Math.log(minS) / Math.log(2);
            double lx1 = Math.max(lx0 + 1, Math.log(maxS) / Math.log(2));
            double ly0 = Math.floor(Math.log10(Math.max(minV, 1e-3)));
            double ly1 = Math.ceil(Math.log10(Math.max(maxV, 1e-3)));
            if (ly1 <= ly0) {
                ly1 = ly0 + 1;
            }
            int top = y0 + 20;
            int plotH = panelH - 70;
            sb.append("<text x=\"10\" y=\"").append(y0 + 12).append("\" font-size=\"13\" font-weight=\"bold\">")
                    .append(esc(e.getKey().title() + ": MB/s by transfer size (log-log)")).append("</text>\n");
            for (double d = ly0; d <= ly1; d++) {
                double yy = top + plotH - plotH * (d - ly0) / (ly1 - ly0);
                sb.append("<line x1=\"").append(left).append("\" y1=\"").append(f(yy)).append("\" x2=\"")
                        .append(left + plotW).append("\" y2=\"").append(f(yy)).append("\" stroke=\"#ddd\"/>\n");
                sb.append("<text x=\"").append(left - 6).append("\" y=\"").append(f(yy + 4))
                        .append("\" text-anchor=\"end\" fill=\"#555\">").append(String.format(Locale.ROOT, "%.0f",
                        Math.pow(10, d))).append("</text>\n");
            }
            for (double lx = Math.ceil(lx0); lx <= lx1; lx += 2) {
                double xx = left + plotW * (lx - lx0) / (lx1 - lx0);
                sb.append("<line x1=\"").append(f(xx)).append("\" y1=\"").append(top).append("\" x2=\"").append(f(xx))
                        .append("\" y2=\"").append(top + plotH).append("\" stroke=\"#eee\"/>\n");
                sb.append("<text x=\"").append(f(xx)).append("\" y=\"").append(top + plotH + 16)
                        .append("\" text-anchor=\"middle\" fill=\"#555\">")
                        .append(esc(Options.human((long) Math.pow(2, lx)))).append("</text>\n");
            }
            sb.append("<rect x=\"").append(left).append("\" y=\"").append(top).append("\" width=\"").append(plotW)
                    .append("\" height=\"").append(plotH).append("\" fill=\"none\" stroke=\"#999\"/>\n");
            int i = 0;
            for (Map.Entry<String, List<SizeSweep.Point>> line : e.getValue().entrySet()) {
                String c = lineColor(line.getKey(), i);
                String dash = line.getKey().startsWith("jdk") ? " stroke-dasharray=\"5,3\"" : "";
                StringBuilder d = new StringBuilder();
                for (SizeSweep.Point p : line.getValue()) {
                    double xx = left + plotW * (Math.log(p.size()) / Math.log(2) - lx0) / (lx1 - lx0);
                    double yy = top + plotH - plotH * (Math.log10(p.mbps()) - ly0) / (ly1 - ly0);
                    d.append(d.length() == 0 ? "M" : " L").append(f(xx)).append(' ').append(f(yy));
                    sb.append("<circle cx=\"").append(f(xx)).append("\" cy=\"").append(f(yy))
                            .append("\" r=\"2.5\" fill=\"").append(c).append("\"/>\n");
                }
                sb.append("<path d=\"").append(d).append("\" fill=\"none\" stroke=\"").append(c)
                        .append("\" stroke-width=\"").append(line.getKey().equals("zc:auto") ? "3" : "1.6")
                        .append('"').append(dash).append("/>\n");
                int ly = top + 10 + i * 18;
                sb.append("<line x1=\"").append(left + plotW + 20).append("\" y1=\"").append(ly).append("\" x2=\"")
                        .append(left + plotW + 45).append("\" y2=\"").append(ly).append("\" stroke=\"").append(c)
                        .append("\" stroke-width=\"2.5\"").append(dash).append("/>\n");
                sb.append("<text x=\"").append(left + plotW + 50).append("\" y=\"").append(ly + 4).append("\">")
                        .append(esc(line.getKey())).append("</text>\n");
                i++;
            }
            y0 += panelH + 20;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }
}

package dev.cliptune.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.text.DecimalFormat;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/**
 * The report's charts, drawn with JFreeChart into JFreeSVG's {@link SVGGraphics2D} and inlined as {@code <svg>}
 * (text stays text: searchable, and the tests read series names and bar labels from it). With element hinting on,
 * every bar / cell / point is a {@code <g jfreesvg:ref='{"rowKey": ..., "columnKey": ...}'>} group. Only very
 * large confusion matrices are rasterised (inline PNG), where an SVG would hold a million cells.
 *
 * <p>One instance per page: chart ids and the SVG {@code defs} prefixes count from 0, so a rebuilt report is
 * byte-identical to the first.
 */
final class Charts {
  static final Color BASE = new Color(0x4C72B0);
  static final Color NEW = new Color(0xDD8452);
  static final Color HM = new Color(0x55A868);
  /** Series colours in order (the three above first), then lighter versions for published numbers. */
  static final List<Color> PALETTE = List.of(BASE, NEW, HM, new Color(0xC44E52), new Color(0x8172B3),
      new Color(0x937860), new Color(0xDA8BC3), new Color(0x8C8C8C), new Color(0xCCB974), new Color(0x64B5CD));
  /** Above this many classes the confusion matrix is a PNG and the per-class chart a sorted curve. */
  static final int MAX_LABELLED_CLASSES = 40;
  private static final Font TITLE = new Font("SansSerif", Font.BOLD, 14);
  private static final Font LABEL = new Font("SansSerif", Font.PLAIN, 11);
  private static final Font SMALL = new Font("SansSerif", Font.PLAIN, 9);

  static {
    // rotated labels as SVG text (a rotated <text>), not as glyph outlines
    org.jfree.chart.text.TextUtils.setUseDrawRotatedStringWorkaround(false);
  }

  private int next;

  /** A lighter tint of a series colour (for the papers' numbers beside ours). */
  static Color light(Color c) {
    return new Color((c.getRed() + 2 * 255) / 3, (c.getGreen() + 2 * 255) / 3, (c.getBlue() + 2 * 255) / 3);
  }

  /** One series of a bar chart: a value per category (null: no bar). */
  record BarSeries(String name, List<Double> values, Color color) {}

  /**
   * Grouped vertical bars, one group per category, one bar per series, each labelled with its value (one decimal).
   */
  String bars(String title, String yLabel, List<String> categories, List<BarSeries> series, double yMax, int w,
      int h) {
    DefaultCategoryDataset d = new DefaultCategoryDataset();
    for (BarSeries s : series) {
      for (int i = 0; i < categories.size(); i++) {
        d.addValue(s.values().get(i), s.name(), categories.get(i));
      }
    }
    CategoryAxis x = new CategoryAxis(null);
    x.setTickLabelFont(LABEL);
    x.setCategoryMargin(0.15);
    int longest = categories.stream().mapToInt(String::length).max().orElse(0);
    if (categories.size() * Math.max(longest, 4) * 7 > w * 0.8) {
      x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    }
    NumberAxis y = axis(yLabel);
    y.setRange(0, yMax);
    BarRenderer r = new BarRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setDrawBarOutline(false);
    r.setItemMargin(0.04);
    for (int i = 0; i < series.size(); i++) {
      r.setSeriesPaint(i, series.get(i).color());
    }
    r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("0.0")));
    r.setDefaultItemLabelsVisible(true);
    r.setDefaultItemLabelFont(SMALL);
    r.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.CENTER_LEFT,
        TextAnchor.CENTER_LEFT, -Math.PI / 2));
    CategoryPlot p = new CategoryPlot(d, x, y, r);
    p.setOrientation(PlotOrientation.VERTICAL);
    style(p);
    return svg(chart(title, p, true), w, h);
  }

  /** Horizontal bars of per-class accuracy (labelled), or for many classes the accuracies sorted as a curve. */
  String perClass(String title, List<String> classes, double[] accuracy, int w) {
    if (classes.size() > MAX_LABELLED_CLASSES) {
      XYSeries s = new XYSeries("accuracy, sorted");
      double[] sorted = accuracy.clone();
      java.util.Arrays.sort(sorted);
      for (int i = 0; i < sorted.length; i++) {
        s.add(i + 1, sorted[i]);
      }
      XYPlot p = new XYPlot(new XYSeriesCollection(s), axis("classes (sorted by accuracy)"), axis("accuracy (%)"),
          lineRenderer(1, false));
      ((NumberAxis) p.getRangeAxis()).setRange(0, 100);
      style(p);
      return svg(chart(title, p, false), w, 260);
    }
    DefaultCategoryDataset d = new DefaultCategoryDataset();
    for (int i = 0; i < classes.size(); i++) {
      d.addValue(Double.isNaN(accuracy[i]) ? null : accuracy[i], "accuracy", classes.get(i));
    }
    CategoryAxis x = new CategoryAxis(null);
    x.setTickLabelFont(LABEL);
    x.setCategoryMargin(0.2);
    NumberAxis y = axis("accuracy (%)");
    y.setRange(0, 112);
    y.setTickUnit(new NumberTickUnit(20));
    BarRenderer r = new BarRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setSeriesPaint(0, BASE);
    r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("0.0")));
    r.setDefaultItemLabelsVisible(true);
    r.setDefaultItemLabelFont(SMALL);
    r.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
    r.setItemLabelAnchorOffset(3);
    CategoryPlot p = new CategoryPlot(d, x, y, r);
    p.setOrientation(PlotOrientation.HORIZONTAL);
    p.setRangeAxisLocation(org.jfree.chart.axis.AxisLocation.BOTTOM_OR_RIGHT);
    style(p);
    return svg(chart(title, p, false), w, 60 + 18 * classes.size());
  }

  /**
   * The confusion matrix as a heatmap: rows are true classes (top to bottom), columns predictions; the colour is the
   * row's share (recall for the diagonal), the number the count. Above {@link #MAX_LABELLED_CLASSES} classes an
   * unlabelled PNG.
   */
  String confusion(String title, List<String> classes, long[][] counts, int w) {
    int n = classes.size();
    double[][] xyz = new double[3][n * n];
    for (int t = 0; t < n; t++) {
      long support = 0;
      for (long v : counts[t]) {
        support += v;
      }
      for (int pr = 0; pr < n; pr++) {
        int i = t * n + pr;
        xyz[0][i] = pr;
        xyz[1][i] = t;
        xyz[2][i] = support == 0 ? 0 : 100.0 * counts[t][pr] / support;
      }
    }
    DefaultXYZDataset d = new DefaultXYZDataset();
    d.addSeries("row %", xyz);
    XYBlockRenderer r = new XYBlockRenderer();
    PaintScale scale = new Blues();
    r.setPaintScale(scale);
    boolean labelled = n <= MAX_LABELLED_CLASSES;
    NumberAxis x = labelled ? symbols("predicted", classes) : axis("predicted");
    NumberAxis y = labelled ? symbols("true", classes) : axis("true");
    for (NumberAxis a : List.of(x, y)) {
      a.setRange(-0.5, n - 0.5);
      a.setTickLabelFont(LABEL);
      a.setLabelFont(LABEL);
    }
    x.setVerticalTickLabels(labelled && classes.stream().mapToInt(String::length).max().orElse(0) * n * 6 > w * 0.7);
    y.setInverted(true);
    XYPlot p = new XYPlot(d, x, y, r);
    p.setBackgroundPaint(Color.WHITE);
    p.setDomainGridlinesVisible(false);
    p.setRangeGridlinesVisible(false);
    if (n <= 15) {
      for (int t = 0; t < n; t++) {
        for (int pr = 0; pr < n; pr++) {
          XYTextAnnotation a = new CellLabel(counts[t][pr], pr, t);
          a.setFont(LABEL);
          a.setPaint(xyz[2][t * n + pr] > 55 ? Color.WHITE : Color.DARK_GRAY);
          p.addAnnotation(a);
        }
      }
    }
    JFreeChart c = chart(title, p, false);
    PaintScaleLegend legend = new PaintScaleLegend(scale, axis("% of the true class"));
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setMargin(4, 4, 40, 4);
    legend.setStripWidth(10);
    legend.setSubdivisionCount(20);
    c.addSubtitle(legend);
    int side = Math.max(w, 120 + 24 * Math.min(n, MAX_LABELLED_CLASSES));
    return labelled ? svg(c, side, side) : png(c, 640, 600);
  }

  private static SymbolAxis symbols(String label, List<String> names) {
    SymbolAxis a = new SymbolAxis(label, names.toArray(String[]::new));
    a.setGridBandsVisible(false);
    return a;
  }

  /**
   * A confusion-matrix count, in an SVG group whose {@code jfreesvg:ref} names the cell (as bars name their series
   * and category): {@code {"true": 2, "predicted": 0}}.
   */
  private static final class CellLabel extends XYTextAnnotation {
    private static final long serialVersionUID = 1L;
    private final String ref;

    CellLabel(long count, int predicted, int trueLabel) {
      super(Long.toString(count), predicted, trueLabel);
      this.ref = "{\"true\": " + trueLabel + ", \"predicted\": " + predicted + "}";
    }

    @Override
    public void draw(java.awt.Graphics2D g2, XYPlot plot, java.awt.geom.Rectangle2D dataArea,
        org.jfree.chart.axis.ValueAxis domainAxis, org.jfree.chart.axis.ValueAxis rangeAxis, int rendererIndex,
        org.jfree.chart.plot.PlotRenderingInfo info) {
      g2.setRenderingHint(org.jfree.svg.SVGHints.KEY_BEGIN_GROUP, Map.of("ref", ref));
      super.draw(g2, plot, dataArea, domainAxis, rangeAxis, rendererIndex, info);
      g2.setRenderingHint(org.jfree.svg.SVGHints.KEY_END_GROUP, "cell");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CellLabel c && c.ref.equals(ref) && super.equals(o);
    }

    @Override
    public int hashCode() {
      return ref.hashCode();
    }
  }

  /** White to blue over 0..100. */
  private static final class Blues implements PaintScale {
    @Override
    public double getLowerBound() {
      return 0;
    }

    @Override
    public double getUpperBound() {
      return 100;
    }

    @Override
    public Paint getPaint(double v) {
      double f = Math.max(0, Math.min(1, v / 100));
      return new Color((int) Math.round(255 - f * (255 - 0x08)), (int) Math.round(255 - f * (255 - 0x30)),
          (int) Math.round(255 - f * (255 - 0x6B)));
    }
  }

  /** Line series (x, y pairs), one per name; log₂ x axis for few-shot curves. */
  String lines(String title, String xLabel, String yLabel, Map<String, List<double[]>> series, boolean log2X, int w,
      int h) {
    XYSeriesCollection d = new XYSeriesCollection();
    series.forEach((name, pts) -> {
      XYSeries s = new XYSeries(name, false);
      pts.forEach(pt -> s.add(pt[0], pt[1]));
      d.addSeries(s);
    });
    NumberAxis x;
    if (log2X) {
      LogAxis lx = new LogAxis(xLabel);
      lx.setBase(2);
      lx.setTickUnit(new NumberTickUnit(1, new DecimalFormat("0")));
      lx.setNumberFormatOverride(new DecimalFormat("0"));
      lx.setLabelFont(LABEL);
      lx.setTickLabelFont(LABEL);
      XYPlot p = new XYPlot(d, lx, axis(yLabel), lineRenderer(series.size(), true));
      style(p);
      return svg(chart(title, p, true), w, h);
    }
    x = axis(xLabel);
    XYPlot p = new XYPlot(d, x, axis(yLabel), lineRenderer(series.size(), true));
    style(p);
    return svg(chart(title, p, true), w, h);
  }

  /** Loss, training accuracy and learning rate per epoch, one line per run (seed), on a shared epoch axis. */
  String training(String title, Map<String, List<RunFiles.Epoch>> runs, int w) {
    NumberAxis epoch = axis("epoch");
    epoch.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epoch);
    plot.setGap(8);
    String[] names = {"loss", "train accuracy (%)", "learning rate"};
    for (int k = 0; k < 3; k++) {
      XYSeriesCollection d = new XYSeriesCollection();
      for (Map.Entry<String, List<RunFiles.Epoch>> e : runs.entrySet()) {
        XYSeries s = new XYSeries(e.getKey(), false);
        for (RunFiles.Epoch ep : e.getValue()) {
          double v = k == 0 ? ep.loss() : k == 1 ? ep.accuracy() : ep.lr();
          s.add(ep.epoch(), Double.isFinite(v) ? v : null);
        }
        d.addSeries(s);
      }
      NumberAxis y = axis(names[k]);
      y.setAutoRangeIncludesZero(k == 2);
      if (k == 2) {
        y.setNumberFormatOverride(new DecimalFormat("0.0E0"));
      }
      XYLineAndShapeRenderer r = lineRenderer(runs.size(), true);
      r.setDefaultSeriesVisibleInLegend(k == 0);
      XYPlot sub = new XYPlot(d, null, y, r);
      style(sub);
      plot.add(sub, 1);
    }
    return svg(chart(title, plot, true), w, 420);
  }

  private static XYLineAndShapeRenderer lineRenderer(int series, boolean shapes) {
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, shapes);
    for (int i = 0; i < series; i++) {
      r.setSeriesPaint(i, PALETTE.get(i % PALETTE.size()));
      r.setSeriesStroke(i, new BasicStroke(1.6f));
    }
    return r;
  }

  private static NumberAxis axis(String label) {
    NumberAxis a = new NumberAxis(label);
    a.setLabelFont(LABEL);
    a.setTickLabelFont(LABEL);
    return a;
  }

  private static void style(CategoryPlot p) {
    p.setBackgroundPaint(Color.WHITE);
    p.setRangeGridlinePaint(new Color(0xDDDDDD));
    p.setOutlineVisible(false);
  }

  private static void style(XYPlot p) {
    p.setBackgroundPaint(Color.WHITE);
    p.setRangeGridlinePaint(new Color(0xDDDDDD));
    p.setDomainGridlinePaint(new Color(0xEEEEEE));
    p.setOutlineVisible(false);
  }

  private static JFreeChart chart(String title, org.jfree.chart.plot.Plot p, boolean legend) {
    JFreeChart c = new JFreeChart(title, TITLE, p, legend);
    c.setBackgroundPaint(Color.WHITE);
    c.setElementHinting(true);
    c.setTextAntiAlias(true);
    LegendTitle l = c.getLegend();
    if (l != null) {
      l.setItemFont(LABEL);
      l.setFrame(org.jfree.chart.block.BlockBorder.NONE);
    }
    return c;
  }

  /** The chart as an inline {@code <svg>} scaled by the page (viewBox), with a page-unique id and defs prefix. */
  String svg(JFreeChart c, int w, int h) {
    String id = "chart" + next++;
    SVGGraphics2D g = new SVGGraphics2D(w, h);
    g.setDefsKeyPrefix(id + "-");
    g.setGeomDoubleConverter(v -> trim(v, 2));
    g.setTransformDoubleConverter(v -> trim(v, 4));
    c.draw(g, new Rectangle(0, 0, w, h));
    return g.getSVGElement(id, true, new ViewBox(0, 0, w, h), null, null);
  }

  /** The chart as an inline PNG {@code <img>} (data URL). */
  String png(JFreeChart c, int w, int h) {
    try {
      byte[] png = ChartUtils.encodeAsPNG(c.createBufferedImage(w, h));
      return "<img id=\"chart" + next++ + "\" width=\"" + w + "\" height=\"" + h + "\" alt=\""
          + Html.esc(c.getTitle() == null ? "chart" : c.getTitle().getText()) + "\" src=\"data:image/png;base64,"
          + Base64.getEncoder().encodeToString(png) + "\">";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A few decimals at most, no trailing zeros: SVG coordinates need no more on a page. */
  private static String trim(double v, int decimals) {
    if (v == Math.rint(v) && Math.abs(v) < 1e9) {
      return Long.toString((long) v);
    }
    String s = String.format(java.util.Locale.ROOT, "%." + decimals + "f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}

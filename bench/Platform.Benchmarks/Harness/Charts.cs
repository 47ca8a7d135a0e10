namespace Platform.Benchmarks;

/// <summary>PNG charts of a run (ScottPlot).</summary>
internal static class Charts
{
    public static void Bars(string path, string title, string yLabel, IReadOnlyList<(string Label, double Value)> bars)
    {
        var plot = new ScottPlot.Plot();
        var bar = plot.Add.Bars([.. bars.Select(b => b.Value)]);
        bar.Color = ScottPlot.Colors.SteelBlue;
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, bars.Count).Select(i => (double)i)], [.. bars.Select(b => b.Label)]);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        plot.SavePng(path, 900, 520);
    }

    public static void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<(string Name, double[] X, double[] Y)> series)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (name, x, y) in series)
        {
            var line = plot.Add.Scatter(x, y);
            line.LegendText = name;
        }

        plot.ShowLegend(ScottPlot.Edge.Bottom);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.SavePng(path, 900, 520);
    }
}

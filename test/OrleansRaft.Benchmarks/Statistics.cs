namespace OrleansRaft.Benchmarks;

/// <summary>The median of several rounds and how far the rounds spread around it.</summary>
internal readonly record struct Summary(double Median, double Min, double Max)
{
    /// <summary>(max - min) / median, in percent: how much to trust the median on a shared machine.</summary>
    public double SpreadPercent => Median == 0 ? 0 : 100 * (Max - Min) / Median;

    public static Summary Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("A summary needs at least one value.", nameof(values));
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Summary(median, sorted[0], sorted[^1]);
    }
}

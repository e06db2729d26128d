using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Microsoft.AspNetCore.SignalR;

namespace EventChat.LoadTests;

/// <summary>
/// A lock-free latency histogram in microseconds: exact below 128 µs, then 128 buckets per power of two
/// (under 1% error), so millions of deliveries cost a fixed 64 KB.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBits = 7;
    private const int Sub = 1 << SubBits;
    private readonly long[] _counts = new long[64 * Sub];
    private long _count;
    private long _max;

    public long Count => Volatile.Read(ref _count);

    public void Record(long micros)
    {
        if (micros < 0)
            micros = 0;
        Interlocked.Increment(ref _counts[Index(micros)]);
        Interlocked.Increment(ref _count);
        long max;
        while (micros > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, micros, max) != max)
        {
        }
    }

    private static int Index(long v)
    {
        if (v < Sub)
            return (int)v;
        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)v);
        var mantissa = (int)(v >> (exponent - SubBits)) - Sub;
        return Sub + ((exponent - SubBits) * Sub) + mantissa;
    }

    // The middle of a bucket's range.
    private static double ValueOf(int index)
    {
        if (index < Sub)
            return index;
        var shift = ((index - Sub) / Sub);
        var mantissa = (index - Sub) % Sub;
        var low = (double)(Sub + mantissa) * (1L << shift);
        return low + ((1L << shift) / 2.0);
    }

    public double PercentileMicros(double p)
    {
        var total = Count;
        if (total == 0)
            return 0;
        var rank = Math.Max(1, (long)Math.Ceiling(p / 100.0 * total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
                return Math.Min(ValueOf(i), Volatile.Read(ref _max));
        }
        return Volatile.Read(ref _max);
    }

    public LatencySummary Summary() => new(
        Count,
        Math.Round(PercentileMicros(50) / 1000, 2),
        Math.Round(PercentileMicros(90) / 1000, 2),
        Math.Round(PercentileMicros(99) / 1000, 2),
        Math.Round(Volatile.Read(ref _max) / 1000.0, 2));
}

/// <summary>Latencies in milliseconds.</summary>
public sealed record LatencySummary(long Count, double P50, double P90, double P99, double Max)
{
    public override string ToString() => Count == 0 ? "n/a"
        : string.Create(CultureInfo.InvariantCulture, $"p50 {P50} ms, p90 {P90} ms, p99 {P99} ms, max {Max} ms ({Count} samples)");
}

/// <summary>Errors by kind, counted over the whole run (warm-up included).</summary>
public sealed class ErrorCounter
{
    private readonly ConcurrentDictionary<string, long> _kinds = new();

    public void Add(string kind, long count = 1) => _kinds.AddOrUpdate(kind, count, (_, n) => n + count);

    public long Total => _kinds.Values.Sum();

    public SortedDictionary<string, long> Snapshot() => new(_kinds);

    public void Add(Exception e) => Add(Classify(e));

    public static string Classify(Exception e) => e switch
    {
        HubException h when h.Message.Contains("too often", StringComparison.Ordinal) => "rate_limited",
        HubException h when h.Message.Contains("connections open already", StringComparison.Ordinal) => "connection_limit",
        HubException => "hub_error",
        InvalidOperationException i when i.Message.Contains("not active", StringComparison.OrdinalIgnoreCase) => "connection_closed",
        TaskCanceledException or OperationCanceledException => "canceled",
        HttpRequestException => "http",
        _ => e.GetType().Name,
    };
}

/// <summary>
/// What one run measures. A message counts when its send time (a <see cref="Stopwatch"/> stamp written into its
/// content by this process) falls in the measured window; its latency is taken where it is received.
/// </summary>
public sealed class Measurement
{
    public long WindowStart { get; private set; } = long.MaxValue;
    public long WindowEnd { get; private set; } = long.MaxValue;
    public LatencyHistogram Latency { get; } = new();
    public LatencyHistogram Ack { get; } = new();
    public ErrorCounter Errors { get; } = new();
    private long _sent;
    private long _delivered;
    private long _expected;
    private long _expectedAll;
    private long _deliveredAll;

    public long Sent => Volatile.Read(ref _sent);
    public long Delivered => Volatile.Read(ref _delivered);
    public long Expected => Volatile.Read(ref _expected);

    /// <summary>Deliveries owed for every acknowledged send so far, in the window or not.</summary>
    public long Undelivered => Volatile.Read(ref _expectedAll) - Volatile.Read(ref _deliveredAll);

    public void OpenWindow(TimeSpan warmup, TimeSpan duration)
    {
        WindowStart = Stopwatch.GetTimestamp() + Ticks(warmup);
        WindowEnd = WindowStart + Ticks(duration);
    }

    public bool InWindow(long stamp) => stamp >= WindowStart && stamp < WindowEnd;

    public static long Ticks(TimeSpan t) => (long)(t.TotalSeconds * Stopwatch.Frequency);

    public static long Micros(long fromStamp, long toStamp) => (toStamp - fromStamp) * 1_000_000 / Stopwatch.Frequency;

    /// <summary>A send was acknowledged by the server; <paramref name="recipients"/> connections should receive it.</summary>
    public void Acked(long stamp, int recipients)
    {
        Interlocked.Add(ref _expectedAll, recipients);
        if (!InWindow(stamp))
            return;
        Interlocked.Increment(ref _sent);
        Interlocked.Add(ref _expected, recipients);
        Ack.Record(Micros(stamp, Stopwatch.GetTimestamp()));
    }

    /// <summary>A message arrived at a receiving client; its content starts with the send stamp.</summary>
    public void Received(string? content)
    {
        var now = Stopwatch.GetTimestamp();
        if (!Payload.TryReadStamp(content, out var stamp))
            return;
        Interlocked.Increment(ref _deliveredAll);
        if (!InWindow(stamp))
            return;
        Interlocked.Increment(ref _delivered);
        Latency.Record(Micros(stamp, now));
    }

    /// <summary>Waits after the window until every expected delivery arrived, or <paramref name="patience"/> ran out.</summary>
    public async Task Drain(TimeSpan patience, Func<long>? inFlight = null)
    {
        var deadline = Stopwatch.GetTimestamp() + Ticks(patience);
        while (Stopwatch.GetTimestamp() < deadline && (Delivered < Expected || (inFlight?.Invoke() ?? 0) > 0))
            await Task.Delay(50);
    }
}

/// <summary>Message content: "&lt;stamp&gt;|" padded to a fixed length, so the receiver can time it.</summary>
public static class Payload
{
    public static string Content(long stamp, int length)
    {
        var head = stamp.ToString(CultureInfo.InvariantCulture) + "|";
        return head.Length >= length ? head : head + new string('x', length - head.Length);
    }

    public static bool TryReadStamp(string? content, out long stamp)
    {
        stamp = 0;
        if (content is null)
            return false;
        var bar = content.IndexOf('|', StringComparison.Ordinal);
        return bar > 0 && long.TryParse(content.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out stamp);
    }
}

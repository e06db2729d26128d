using System.Diagnostics;
using System.Globalization;

namespace EventChat.LoadTests;

/// <summary>
/// Reads a process's resident memory and CPU time from /proc (Linux), and the machine's CPU time from
/// /proc/stat. Every reading is optional: null where it cannot be had.
/// </summary>
public sealed class ProcessProbe(int? pid)
{
    private const double ClockTicksPerSecond = 100; // USER_HZ; 100 on every mainstream Linux build

    public int? Pid => pid;

    public long? RssBytes()
    {
        if (pid is null)
            return null;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    continue;
                var kb = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>User plus system CPU seconds the process has used so far.</summary>
    public double? CpuSeconds() => pid is { } p && Stat(p) is { } stat ? stat.CpuSeconds : null;

    /// <summary>
    /// CPU seconds of the process and its direct children (PostgreSQL: the postmaster and its backends). A child that
    /// exited and was reaped counts through the parent's children's time, so a backend that ends within the window
    /// does not take its time with it (which once made PostgreSQL's CPU negative).
    /// </summary>
    public double? TreeCpuSeconds()
    {
        if (pid is not { } root || Stat(root) is not { } own)
            return null;
        var total = own.CpuSeconds + own.ReapedChildrenCpuSeconds;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var child)
                && Stat(child) is { } stat && stat.ParentPid == root)
                total += stat.CpuSeconds;
        }
        return total;
    }

    private static (int ParentPid, double CpuSeconds, double ReapedChildrenCpuSeconds)? Stat(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            // The command name may hold spaces; the fields after its closing parenthesis do not.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[1], CultureInfo.InvariantCulture),
                (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond,
                (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / ClockTicksPerSecond);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>(busy, total) jiffies of the whole machine, all cores.</summary>
    public static (long Busy, long Total)? MachineJiffies()
    {
        try
        {
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = cpu.Skip(1).Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var idle = values[3] + values[4]; // idle + iowait
            var total = values.Sum();
            return (total - idle, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}

/// <summary>CPU use over the measured window: the server's, PostgreSQL's, this load generator's and the whole machine's (100 = one core).</summary>
public sealed class CpuWindow
{
    private readonly ProcessProbe _server;
    private readonly ProcessProbe _database;
    private double? _server0;
    private double? _database0;
    private TimeSpan _self0;
    private (long Busy, long Total)? _machine0;
    private long _started;

    public CpuWindow(ProcessProbe server, ProcessProbe database)
    {
        _server = server;
        _database = database;
    }

    public void Start()
    {
        _server0 = _server.CpuSeconds();
        _database0 = _database.TreeCpuSeconds();
        _self0 = Process.GetCurrentProcess().TotalProcessorTime;
        _machine0 = ProcessProbe.MachineJiffies();
        _started = Stopwatch.GetTimestamp();
    }

    public (double? Server, double Load, double? Machine, double? Database) Stop()
    {
        var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var server = _server.CpuSeconds() is { } s1 && _server0 is { } s0 ? Math.Round((s1 - s0) / seconds * 100, 1) : (double?)null;
        var database = _database.TreeCpuSeconds() is { } d1 && _database0 is { } d0 ? Math.Round((d1 - d0) / seconds * 100, 1) : (double?)null;
        var load = Math.Round((Process.GetCurrentProcess().TotalProcessorTime - _self0).TotalSeconds / seconds * 100, 1);
        double? machine = null;
        if (ProcessProbe.MachineJiffies() is { } m1 && _machine0 is { } m0 && m1.Total > m0.Total)
            machine = Math.Round((double)(m1.Busy - m0.Busy) / (m1.Total - m0.Total) * Environment.ProcessorCount * 100, 1);
        return (server, load, machine, database);
    }
}

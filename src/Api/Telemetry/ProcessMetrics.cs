using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EventChat.Api.Telemetry;

/// <summary>
/// What the runtime's <c>System.Runtime</c> meter leaves out about the process: its OS threads (not only the pool's)
/// and its open handles, whose steady climb is how a leak of sockets or files shows. One meter per process, as the
/// figures are the process's: apps started side by side in one process (tests) must not report them twice.
/// </summary>
public static class ProcessMetrics
{
    public const string MeterName = "EventChat.Process";

    private static Meter? meter;

    /// <summary>Creates the instruments, once per process.</summary>
    public static void Start() => LazyInitializer.EnsureInitialized(ref meter, () =>
    {
        var created = new Meter(MeterName);
        created.CreateObservableUpDownCounter("process.thread.count", () => Read(p => (long)p.Threads.Count), "{thread}",
            "OS threads of the process.");
        created.CreateObservableUpDownCounter("process.handle.count", () => Read(p => (long)p.HandleCount), "{handle}",
            "Open handles of the process (file descriptors on Linux).");
        return created;
    });

    // A fresh Process per reading: one keeps what it first read until refreshed.
    private static long Read(Func<Process, long> figure)
    {
        using var process = Process.GetCurrentProcess();
        return figure(process);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("EventChat.IntegrationTests.Infrastructure.TestRun", "EventChat.IntegrationTests")]

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// One run of this assembly's tests, and the teardown of every server it started.
/// <para>
/// The run gets a folder of its own and makes it the process's TMPDIR, so every database, server data folder, pid
/// file and attachment a test makes lands in it. What outlives a test (the shared PostgreSQL, a Redis, a node)
/// registers its stop with <see cref="OnEnd"/>; xunit runs those before it reports the run finished. That is the only
/// moment a teardown can count on: the test host is killed soon after the run ends, so <c>ProcessExit</c> handlers
/// that stop a database lose the race (the shared PostgreSQL outlived every plain <c>dotnet test</c> that way).
/// </para>
/// <para>
/// A signal (Ctrl-C, SIGTERM) runs the same teardown before the process ends. For what no handler sees (SIGKILL,
/// a crash), a watchdog outside this process (<c>scripts/test-run.sh watch</c>, in a session of its own so Ctrl-C
/// does not reach it) cleans the folder up once this process is gone.
/// </para>
/// </summary>
public sealed class TestRun(IMessageSink diagnostics) : XunitTestFramework(diagnostics)
{
    private static readonly ConcurrentStack<Action> Teardowns = new();
    private static readonly Lock Ending = new();
    private static readonly List<PosixSignalRegistration> Signals = [];
    private static string? _folder;

    /// <summary>This run's folder (also its TMPDIR).</summary>
    public static string Folder => _folder ?? throw new InvalidOperationException("The test run has not begun: is TestRun the assembly's test framework?");

    /// <summary>Runs <paramref name="teardown"/> when the run ends, after the teardowns registered later (last in, first out).</summary>
    public static void OnEnd(Action teardown) => Teardowns.Push(teardown);

    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private static void Begin()
    {
        if (_folder is not null)
            return;
        var folder = Directory.CreateTempSubdirectory("eventchat-test-run-").FullName;
        // As root, PostgreSQL runs as 'postgres', which must reach its data folder inside this one.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        Environment.SetEnvironmentVariable("TMPDIR", folder);
        _folder = folder;
        StartWatchdog(folder);
        foreach (var signal in (PosixSignal[])[PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP])
            Signals.Add(PosixSignalRegistration.Create(signal, _ => End()));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => End();
    }

    /// <summary>Stops what the run started and removes its folder. Runs once, whoever calls first.</summary>
    private static void End()
    {
        lock (Ending)
        {
            while (Teardowns.TryPop(out var teardown))
            {
                try
                {
                    teardown();
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine($"Test run teardown failed: {e.Message}");
                }
            }
            if (_folder is { } folder && Directory.Exists(folder))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"Could not remove the test run's folder {folder}: {e.Message}");
                }
            }
        }
    }

    private static void StartWatchdog(string folder)
    {
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var arg in (string[])["bash", Path.Combine(PostgresServer.RepositoryRoot(), "scripts", "test-run.sh"), "watch", Environment.ProcessId.ToString(), folder])
            start.ArgumentList.Add(arg);
        Process.Start(start)?.Dispose();
    }

    private sealed class Executor(AssemblyName name, ISourceInformationProvider sourceInformation, IMessageSink diagnostics)
        : XunitTestFrameworkExecutor(name, sourceInformation, diagnostics)
    {
        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            using var runner = new Runner(TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync();
        }
    }

    private sealed class Runner(ITestAssembly assembly, IEnumerable<IXunitTestCase> testCases, IMessageSink diagnostics, IMessageSink execution, ITestFrameworkExecutionOptions options)
        : XunitTestAssemblyRunner(assembly, testCases, diagnostics, execution, options)
    {
        protected override async Task AfterTestAssemblyStartingAsync()
        {
            Begin();
            await base.AfterTestAssemblyStartingAsync();
        }

        protected override async Task BeforeTestAssemblyFinishedAsync()
        {
            End();
            await base.BeforeTestAssemblyFinishedAsync();
        }
    }
}

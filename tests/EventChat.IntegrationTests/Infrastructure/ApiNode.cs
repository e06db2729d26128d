using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// One EventChat node as production runs it: its own <c>dotnet EventChat.Api.dll</c> process (the Api project's
/// build output), or a published artefact's own executable, on a free loopback port. Several share one PostgreSQL
/// database and one Redis. <see cref="Kill"/> is <c>kill -9</c>: no shutdown code runs, its sockets just close;
/// <see cref="Stop"/> is the <c>SIGTERM</c> that systemd sends.
/// </summary>
public sealed partial class ApiNode : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PidFile? _pidFile;

    private ApiNode(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Everything it wrote to stdout and stderr, a line at a time as it came.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>The Api project's build, with the tests' defaults under <paramref name="settings"/>; waits until it listens.</summary>
    public static Task<ApiNode> Start(IDictionary<string, string> settings) => Listening(Launch(settings));

    /// <summary>
    /// A published artefact's executable, run from its folder (its content root) as the systemd unit runs it, with
    /// <paramref name="environment"/> as its whole environment: nothing of the test host's (no <c>DOTNET_ROOT</c>, no
    /// PATH but the one given) reaches it. Waits until it listens.
    /// </summary>
    public static Task<ApiNode> StartPublished(string executable, IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(executable) { WorkingDirectory = Path.GetDirectoryName(executable)! };
        start.Environment.Clear();
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        return Listening(Launch(start));
    }

    /// <summary>The Api project's build, without waiting for it to listen: for a start that is meant to fail (<see cref="Exited"/>).</summary>
    public static ApiNode Launch(IDictionary<string, string> settings)
    {
        var dll = ApiDll();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in settings)
            start.Environment[key] = value;
        return Launch(start);
    }

    private static ApiNode Launch(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        foreach (var arg in (string[])["--urls", "http://127.0.0.1:0"])
            start.ArgumentList.Add(arg);
        var node = new ApiNode(new Process { StartInfo = start });
        void Read(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null)
                return;
            lock (node._output)
                node._output.AppendLine(e.Data);
            if (ListeningOn().Match(e.Data) is { Success: true } match)
                node._listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
        node._process.OutputDataReceived += Read;
        node._process.ErrorDataReceived += Read;
        // A node that exits never listens: no need to wait the whole start timeout for it.
        node._process.EnableRaisingEvents = true;
        node._process.Exited += (_, _) => node._listening.TrySetCanceled();
        node._process.Start();
        node._pidFile = PidFile.Write("node", node._process.Id);
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        TestRun.OnEnd(node.Kill);
        return node;
    }

    private static async Task<ApiNode> Listening(ApiNode node)
    {
        try
        {
            node.BaseAddress = await node._listening.Task.WaitAsync(StartTimeout);
        }
        catch (Exception e) when (e is TimeoutException or TaskCanceledException)
        {
            if (node._process.HasExited)
                node._process.WaitForExit(); // the rest of its output
            var exited = node._process.HasExited ? $"exited with {node._process.ExitCode}" : "still running";
            node.Kill();
            throw new InvalidOperationException($"The node ({exited}) did not start listening within 60 s. Its output:\n" + node.Output);
        }
        return node;
    }

    /// <summary>Its exit code, once it has exited by itself and its output is all read; fails after <see cref="StartTimeout"/>.</summary>
    public async Task<int> Exited()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        await _process.WaitForExitAsync(timeout.Token);
        _pidFile?.Delete();
        _pidFile = null;
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as systemd stops a service; answers the exit code once it has shut down.</summary>
    public Task<int> Stop()
    {
        if (!_process.HasExited && Signal(_process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed (errno {Marshal.GetLastPInvokeError()})");
        return Exited();
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }
        _pidFile?.Delete();
        _pidFile = null;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    // The URL ends at white space, or at the quote that closes it in a JSON log line.
    [GeneratedRegex(@"Now listening on: (http://[^\s""]+)")]
    private static partial Regex ListeningOn();

    // dotnet test builds the whole solution, so the Api's own output (with its runtimeconfig) is there,
    // in the configuration these tests were built in.
    private static string ApiDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var dll = Path.Combine(PostgresServer.RepositoryRoot(), "src", "Api", "bin", configuration, "net10.0", "EventChat.Api.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build the solution ({configuration}) first.");
    }
}

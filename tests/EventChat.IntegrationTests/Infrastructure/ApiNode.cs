using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// One EventChat node as production runs it: its own <c>dotnet EventChat.Api.dll</c> process (the Api project's
/// build output) on a free loopback port. Several share one PostgreSQL database and one Redis. <see cref="Kill"/>
/// is <c>kill -9</c>: no shutdown code runs, its sockets just close.
/// </summary>
public sealed partial class ApiNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private PidFile? _pidFile;

    private ApiNode(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static async Task<ApiNode> Start(IDictionary<string, string> settings)
    {
        var dll = ApiDll();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        foreach (var arg in (string[])[dll, "--urls", "http://127.0.0.1:0"])
            start.ArgumentList.Add(arg);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in settings)
            start.Environment[key] = value;
        var node = new ApiNode(new Process { StartInfo = start });
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null)
                return;
            lock (node._output)
                node._output.AppendLine(e.Data);
            if (ListeningOn().Match(e.Data) is { Success: true } match)
                listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
        node._process.OutputDataReceived += Read;
        node._process.ErrorDataReceived += Read;
        node._process.Start();
        node._pidFile = PidFile.Write("node", node._process.Id);
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        TestRun.OnEnd(node.Kill);
        try
        {
            node.BaseAddress = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            var exited = node._process.HasExited ? $"exited with {node._process.ExitCode}" : "still running";
            node.Kill();
            throw new InvalidOperationException($"The node ({exited}) did not start listening within 60 s. Its output:\n" + node.Output);
        }
        return node;
    }

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

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
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

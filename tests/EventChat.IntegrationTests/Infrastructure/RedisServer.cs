using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway redis-server (Debian's <c>redis-server</c>, which <c>./eventchat test</c> installs when missing) on a
/// free loopback port, without persistence, so a restart starts empty as a lost Redis would. Killed when disposed,
/// or at the end of the run (<see cref="TestRun"/>).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;
    private PidFile? _pidFile;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> Start()
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServer(int.Parse(PostgresServer.Script("free-port").Trim()));
            try
            {
                await server.Restart();
                TestRun.OnEnd(server.Stop);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Another process took the port first; try another.
            }
        }
    }

    /// <summary>Starts redis-server (again) on <see cref="Port"/> and waits until it answers PING.</summary>
    public async Task Restart()
    {
        var start = new ProcessStartInfo(Executable()) { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] args = ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no",
            "--dir", TestRun.Folder];
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        _pidFile = PidFile.Write("redis", _process.Id);
        var output = new StringBuilder();
        _process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await AnswersPing())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                Stop();
                lock (output)
                    throw new InvalidOperationException($"redis-server did not start on port {Port}: {output}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Kills redis-server at once, as a crash or a network cut would look to the nodes.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit();
        }
        _pidFile?.Delete();
        _pidFile = null;
    }

    private async Task<bool> AnswersPing()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG");
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Executable() =>
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("redis-server was not found. Install it (Debian: apt-get install redis-server); ./eventchat test does so when run as root.");

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}

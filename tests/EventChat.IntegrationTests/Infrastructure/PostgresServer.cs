using System.Diagnostics;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL for this test run, started from the machine's binaries by the same
/// script <c>./eventchat</c> uses, on a free port, in the run's folder, and removed when the run ends
/// (<see cref="TestRun"/>).
/// </summary>
public sealed class PostgresServer
{
    private readonly string _directory;

    private PostgresServer(string directory, string connectionString) =>
        (_directory, ConnectionString) = (directory, connectionString);

    public string ConnectionString { get; }

    public static PostgresServer Start()
    {
        var directory = Directory.CreateTempSubdirectory("eventchat-test-pg-").FullName;
        var connectionString = StartOnAFreePort(directory);
        var server = new PostgresServer(directory, connectionString);
        TestRun.OnEnd(server.Remove);
        return server;
    }

    // Another process can take the free port before PostgreSQL binds it; then try another.
    private static string StartOnAFreePort(string directory)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return Script("start", directory, Script("free-port").Trim(), "throwaway").Trim().Split('\n')[^1];
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>Stops the server (fast shutdown: open connections are cut), as an outage would.</summary>
    public void Stop() => Script("stop", _directory);

    /// <summary>Starts the stopped server again on its port, with its data.</summary>
    public void Restart() => Script("start", _directory, new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString).Port.ToString(), "throwaway");

    // If the host is killed before the run's end, the run's watchdog (scripts/test-run.sh) stops it instead.
    private void Remove()
    {
        try
        {
            Script("destroy", _directory);
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"Could not remove the test PostgreSQL in {_directory}: {e.Message}");
        }
    }

    internal static string Script(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "scripts", "postgres.sh"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? stdout
            : throw new InvalidOperationException($"scripts/postgres.sh {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result}");
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EventChat.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root (EventChat.sln) above " + AppContext.BaseDirectory);
    }
}

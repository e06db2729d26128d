using System.Diagnostics;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>A command run to its end, as a person would run it in a shell, for its exit code and its output.</summary>
public static class Command
{
    /// <param name="environment">Variables over the test host's own, less what the host's dotnet set for itself.</param>
    /// <returns>The exit code, stdout and stderr. Fails if it has not finished within <paramref name="timeout"/>, having killed it.</returns>
    public static async Task<(int ExitCode, string Output, string Error)> Run(
        string program, IEnumerable<string> arguments, string folder, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // What the test host's own dotnet set for itself must not steer the builds a command makes, nor pick their package cache.
        foreach (var name in start.Environment.Keys.Where(name => name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name == "NUGET_PACKAGES").ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}: {await output}{await error}");
        }
        return (process.ExitCode, await output, await error);
    }
}

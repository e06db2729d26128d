using System.Diagnostics;
using EventChat.Application.Admin;
using Marten;

namespace EventChat.Api;

/// <summary>
/// <c>EventChat.Api rebuild [name ...]</c>: rebuilds the named projections (all of them without names) from the events,
/// one after another, printing how far each has come and how long it took. <c>MessageView</c> is rebuilt in bulk
/// (<see cref="MessageViewRebuild"/>), the others by Marten's daemon, as the admin endpoint does (docs/operations.md).
/// </summary>
public static class ProjectionRebuildCommand
{
    public static bool IsRequested(string[] args) => args is ["rebuild", ..];

    public static Task<int> Run(WebApplication app, IReadOnlyList<string> names) =>
        Run(app.Services.GetRequiredService<IDocumentStore>(), names, Console.Out, Console.Error);

    /// <returns>0 once every projection named is rebuilt; 2, having rebuilt nothing, when a name is unknown.</returns>
    public static async Task<int> Run(IDocumentStore store, IReadOnlyList<string> names, TextWriter output, TextWriter errors)
    {
        var unknown = names.Where(n => store.ProjectionNamed(n) is null).ToList();
        if (unknown.Count > 0)
        {
            await errors.WriteLineAsync($"No projection named {string.Join(", ", unknown)}. The projections: {string.Join(", ", store.ProjectionNames())}.");
            return 2;
        }
        var chosen = names.Count == 0 ? store.ProjectionNames() : [.. names.Select(n => store.ProjectionNamed(n)!).Distinct()];
        var all = Stopwatch.StartNew();
        foreach (var name in chosen)
        {
            var one = Stopwatch.StartNew();
            await output.WriteLineAsync($"{name}: rebuilding...");
            await store.Rebuild(name, new Printed(output, name, one), CancellationToken.None);
            await output.WriteLineAsync($"{name}: rebuilt in {one.Elapsed.TotalSeconds:F1} s");
        }
        await output.WriteLineAsync($"Rebuilt {chosen.Count} projection(s) in {all.Elapsed.TotalSeconds:F1} s.");
        return 0;
    }

    private sealed class Printed(TextWriter output, string name, Stopwatch clock) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) =>
            output.WriteLine($"{name}: {value.Done:N0} of {value.Total:N0} events, {value.Done / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N0} a second");
    }
}

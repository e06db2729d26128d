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

    public static async Task<int> Run(WebApplication app, IReadOnlyList<string> names)
    {
        var store = app.Services.GetRequiredService<IDocumentStore>();
        var known = store.ProjectionNames();
        var unknown = names.Where(n => !known.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"No projection named {string.Join(", ", unknown)}. The projections: {string.Join(", ", known)}.");
            return 2;
        }
        var chosen = names.Count == 0 ? known : [.. known.Where(k => names.Contains(k, StringComparer.OrdinalIgnoreCase))];
        var all = Stopwatch.StartNew();
        foreach (var name in chosen)
        {
            var one = Stopwatch.StartNew();
            Console.WriteLine($"{name}: rebuilding...");
            await store.Rebuild(name, new Printed(name, one), CancellationToken.None);
            Console.WriteLine($"{name}: rebuilt in {one.Elapsed.TotalSeconds:F1} s");
        }
        Console.WriteLine($"Rebuilt {chosen.Count} projection(s) in {all.Elapsed.TotalSeconds:F1} s.");
        return 0;
    }

    private sealed class Printed(string name, Stopwatch clock) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) =>
            Console.WriteLine($"{name}: {value.Done:N0} of {value.Total:N0} events, {value.Done / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N0} a second");
    }
}

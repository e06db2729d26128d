using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace EventChat.LoadTests;

/// <summary>
/// Turns the JSON lines of one <c>./eventchat bench</c> run into the markdown tables of docs/performance.md:
/// EventChat's figures next to the ceilings measured in the same run, as ratios, with medians over repeated runs.
/// </summary>
public static class Report
{
    public const string StartMarker = "<!-- bench:results:start -->";
    public const string EndMarker = "<!-- bench:results:end -->";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        string? input = null, update = null, pg = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--update" when i + 1 < args.Length: update = args[++i]; break;
                case "--pg" when i + 1 < args.Length: pg = args[++i]; break;
                default: input ??= args[i]; break;
            }
        }
        if (input is null || !File.Exists(input))
        {
            Console.Error.WriteLine("usage: EventChat.LoadTests report <results.jsonl> [--update docs/performance.md] [--pg \"PostgreSQL 15.x, fsync=on\"]");
            return 2;
        }
        var lines = File.ReadAllLines(input)
            .Where(l => l.TrimStart().StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToList();
        var markdown = Render(lines, pg);
        Console.WriteLine(markdown);
        if (update is not null)
            return Update(update, markdown);
        return 0;
    }

    private static int Update(string path, string markdown)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "";
        var start = text.IndexOf(StartMarker, StringComparison.Ordinal);
        var end = text.IndexOf(EndMarker, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            Console.Error.WriteLine($"error: {path} has no {StartMarker} ... {EndMarker} section to replace");
            return 1;
        }
        var updated = text[..(start + StartMarker.Length)] + "\n" + markdown.TrimEnd() + "\n" + text[end..];
        File.WriteAllText(path, updated);
        Console.Error.WriteLine($"report: wrote the results section of {path}");
        return 0;
    }

    public static string Render(IReadOnlyList<JsonElement> lines, string? pg)
    {
        var s = new StringBuilder();
        var first = lines.Select(l => Str(l, "startedAt")).FirstOrDefault(t => t is not null);
        s.AppendLine(Inv, $"Run of {first?[..Math.Min(first.Length, 16)].Replace('T', ' ') ?? "?"} UTC. {Machine()}");
        if (pg is not null)
            s.AppendLine(Inv, $"Database: {pg}. The server, PostgreSQL, pgbench and the load generator share the machine.");
        s.AppendLine();

        var direct = Runs(lines, "direct-closed");
        var group = Runs(lines, "group-closed");
        var fanout = Runs(lines, "fanout");
        var ceiling = Runs(lines, "ceiling");
        var directCeiling = Runs(lines, "direct-ceiling");
        var openHalf = Runs(lines, "direct-open-half");
        var amongIdle = Runs(lines, "direct-among-idle");
        var openTarget = Runs(lines, "direct-open-target");
        var idle = Runs(lines, "idle");
        var startup = Runs(lines, "startup");
        var startupEmpty = Runs(lines, "startup-empty");

        s.AppendLine("Throughput against the ceiling measured in the same run. Where a scenario ran more than once, each figure is the median, and the ratio is the median of the per-run ratios (each run against its own pgbench run):");
        s.AppendLine();
        s.AppendLine("| scenario | load | EventChat | ceiling (same run) | ratio | issue target |");
        s.AppendLine("|---|---|---|---|---|---|");
        if (direct.Count > 0)
            s.AppendLine(Inv, $"| `direct`, closed loop{Times(direct)} | {Load(direct[0])} | {F(Median(direct, "messagesPerSecond"))} msg/s | pgbench {F(Median(direct, "ceilingTps"))} TPS ({Int(direct[0], "senders")} clients) | **{R(Median(direct, "ratio"))}** | ≥ 0.5 |");
        if (direct.Count > 0 && Median(directCeiling, "messagesPerSecond") is { } dc)
            s.AppendLine(Inv, $"| `direct`, closed loop, against the bare hub{Times(direct)} | {Load(direct[0])} | {F(Median(direct, "messagesPerSecond"))} msg/s | bare SignalR hub, a direct message's wire traffic: {F(dc)} msg/s (= {R(dc / Median(direct, "ceilingTps"))} × pgbench) | **{R(Median(direct, "messagesPerSecond") / dc)}** | — |");
        if (group.Count > 0)
            s.AppendLine(Inv, $"| `group`, closed loop{Times(group)} | {Load(group[0])} | {F(Median(group, "messagesPerSecond"))} msg/s = {F(Median(group, "deliveriesPerSecond"))} deliveries/s | pgbench {F(Median(group, "ceilingTps"))} TPS ({Int(group[0], "senders")} clients) | **{R(Median(group, "ratio"))}** | — |");
        if (fanout.Count > 0)
            s.AppendLine(Inv, $"| `fanout`{Times(fanout)} | {Load(fanout[0])} | {F(Median(fanout, "deliveriesPerSecond"))} deliveries/s ({F(Median(fanout, "messagesPerSecond"))} msg/s) | bare SignalR hub: {F(Median(ceiling, "deliveriesPerSecond"))} deliveries/s | **{R(Median(fanout, "ratio"))}** | ≥ 200,000 deliveries/s, or the ceiling |");
        s.AppendLine();

        if (direct.Count > 1)
        {
            s.AppendLine("The `direct` closed-loop runs one by one, each right after its own pgbench run:");
            s.AppendLine();
            s.AppendLine("| run | EventChat msg/s | pgbench TPS | ratio | errors |");
            s.AppendLine("|---|---|---|---|---|");
            for (var i = 0; i < direct.Count; i++)
                s.AppendLine(Inv, $"| {i + 1} | {F(Num(direct[i], "messagesPerSecond"))} | {F(Num(direct[i], "ceilingTps"))} | {R(Num(direct[i], "ratio"))} | {Errors(direct[i])} |");
            s.AppendLine();
        }

        var bystanders = amongIdle.Count > 0 ? F(Num(amongIdle[0], "connections") - Num(amongIdle[0], "senders")) : "";
        var latencyRows = new[] { ("`direct`, closed loop", direct),
            ($"`direct`, closed loop, beside {bystanders} idle connections", amongIdle), ("`direct`, open loop at ½ the closed-loop rate", openHalf),
            ("`direct`, open loop at the target's rate", openTarget), ("`group`, closed loop", group), ("`fanout`", fanout),
            ("`ceiling` (bare hub, fan-out)", ceiling), ("`direct-ceiling` (bare hub, direct traffic)", directCeiling) };
        s.AppendLine("Send-to-deliver latency, measured at the receiving client (ms), and what the run cost:");
        s.AppendLine();
        s.AppendLine("| scenario | offered | achieved | p50 | p90 | p99 | max | errors | CPU: server / PostgreSQL / load / machine |");
        s.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, runs) in latencyRows.Where(r => r.Item2.Count > 0))
        {
            var offered = Median(runs, "targetRate") is { } rate ? $"{F(rate)} msg/s" : "flat out";
            s.AppendLine(Inv, $"| {name}{Times(runs)} | {offered} | {F(Median(runs, "messagesPerSecond"))} msg/s | {F2(Median(runs, "latency", "p50"))} | {F2(Median(runs, "latency", "p90"))} | {F2(Median(runs, "latency", "p99"))} | {F2(Median(runs, "latency", "max"))} | {Errors(runs[runs.Count / 2])} | {F(Median(runs, "serverCpuPercent"))} / {F(Median(runs, "databaseCpuPercent"))} / {F(Median(runs, "loadCpuPercent"))} / {F(Median(runs, "machineCpuPercent"))} % |");
        }
        s.AppendLine();
        s.AppendLine(Inv, $"CPU is in percent of one core ({Environment.ProcessorCount * 100} % is the whole machine) over the measured window; \"load\" is the load generator, \"machine\" includes everything else running. For the bare hub, server and load are one process.");
        s.AppendLine();

        var pgbenchDirect = Runs(lines, "pgbench-direct");
        if (direct.Count > 0 && Median(pgbenchDirect, "machineCpuPercent") is not null)
            CpuPerMessage(s, direct, directCeiling, pgbenchDirect);

        if (idle.Count > 0)
        {
            var i = idle[0];
            s.AppendLine("Idle authenticated connections:");
            s.AppendLine();
            s.AppendLine("| connections | server RSS before → after | per connection | issue target |");
            s.AppendLine("|---|---|---|---|");
            s.AppendLine(Inv, $"| {Int(i, "connections")} | {F(Num(i, "serverRssMbBefore"))} → {F(Num(i, "serverRssMbAfter"))} MB | **{F(Num(i, "serverKbPerConnection"))} KB** | ≤ 20 KB at 10,000 |");
            s.AppendLine();
        }
        if (startup.Count + startupEmpty.Count > 0)
        {
            s.AppendLine(Inv, $"Start-up, from launching `dotnet EventChat.Api.dll` to its first answered `GET /health`: **{F2(Median(startup, "seconds"))} s** on a database that has the schema (a restart), {F2(Median(startupEmpty, "seconds"))} s on an empty one (it creates the schema). Issue target: ≤ 2 s.");
            s.AppendLine();
        }

        s.AppendLine("Against the issue's targets:");
        s.AppendLine();
        s.AppendLine("| target | measured | met |");
        s.AppendLine("|---|---|---|");
        if (Median(direct, "ratio") is { } dr)
            s.AppendLine(Inv, $"| `direct` closed loop ≥ 0.5 × pgbench TPS, no errors | {R(dr)} × (median {F(Median(direct, "messagesPerSecond"))} msg/s; pgbench median {F(Median(direct, "ceilingTps"))} TPS), {F(direct.Sum(r => Num(r, "errors") ?? 0))} errors | {Met(dr >= 0.5 && direct.All(r => Num(r, "errors") == 0))} |");
        if (Median(direct, "ceilingTps") is { } pgTps && Median(directCeiling, "messagesPerSecond") is { } hub && hub > 0)
        {
            var multiple = 0.5 * pgTps / hub;
            s.AppendLine(Inv, $"| the `direct` target within this machine's reach: 0.5 × pgbench ≤ the bare hub's direct ceiling | 0.5 × {F(pgTps)} TPS = {F(0.5 * pgTps)} msg/s = **{multiple:0.00} ×** the bare hub's {F(hub)} msg/s | {(multiple <= 1 ? "yes" : "**no**: beyond what SignalR alone does here")} |");
        }
        if (Budget(direct, directCeiling, pgbenchDirect) is var (budget, floor) && budget > 0)
            s.AppendLine(Inv, $"| the `direct` target within this machine's CPU: a bare hub's and PostgreSQL's side of a one-row insert's CPU per message ≤ the target's budget | {floor:0.000} ms against a budget of **{budget:0.000} ms** per message | {(floor <= budget ? $"yes: {floor / budget:0.00} × the budget" : $"**no**: {floor / budget:0.00} × the budget before EventChat does anything")} |");
        if (openTarget.Count > 0 && Median(openTarget, "latency", "p99") is { } p99)
            s.AppendLine(Inv, $"| `direct` open loop at 0.25 × pgbench TPS: p99 ≤ 25 ms | offered {F(Median(openTarget, "targetRate"))} msg/s, achieved {F(Median(openTarget, "messagesPerSecond"))}; p99 {F2(p99)} ms; {Errors(openTarget[0])} errors | {Met(p99 <= 25 && Median(openTarget, "errors") == 0)} |");
        if (Median(fanout, "deliveriesPerSecond") is { } fd)
        {
            var c = Median(ceiling, "deliveriesPerSecond");
            var bar = c is { } cv ? Math.Min(200_000, cv) : 200_000;
            s.AppendLine(Inv, $"| `fanout` to {Int(fanout[0], "recipientsPerMessage")} viewers: ≥ 200,000 deliveries/s or the ceiling ({F(c)}) | {F(fd)} deliveries/s | {Met(fd >= bar * 0.95)} |");
        }
        if (idle.Count > 0 && Num(idle[0], "serverKbPerConnection") is { } kb)
            s.AppendLine(Inv, $"| `idle`: ≤ 20 KB per connection at 10,000 | {F(kb)} KB at {Int(idle[0], "connections")} | {Met(kb <= 20)}{(Int(idle[0], "connections") < 10_000 ? " (measured at fewer connections)" : "")} |");
        if (Median(startup, "seconds") is { } st)
            s.AppendLine(Inv, $"| start-up to first request ≤ 2 s | {F2(st)} s (restart) | {Met(st <= 2)} |");

        var pgbench = Runs(lines, null).Where(l => Str(l, "scenario") == "pgbench").ToList();
        if (pgbench.Count > 0)
        {
            s.AppendLine();
            s.AppendLine(Inv, $"pgbench runs (one-row INSERT per transaction, `-n -j 2`): {string.Join("; ", pgbench.Select(p => $"{Str(p, "label")} {Int(p, "clients")} clients {F(Num(p, "tps"))} TPS"))}.");
        }
        return s.ToString();
    }

    /// <summary>
    /// The whole machine's CPU per message (pgbench: per transaction), each over its own measured window. On a machine
    /// whose cores everything shares, this says whether a throughput target is reachable at all: 0.5 × pgbench TPS
    /// with every core busy leaves a fixed budget of CPU per message for SignalR, EventChat and PostgreSQL together.
    /// </summary>
    private static void CpuPerMessage(StringBuilder s, List<JsonElement> direct, List<JsonElement> directCeiling, List<JsonElement> pgbench)
    {
        s.AppendLine("CPU per message: what the whole machine spends (both cores, everything running) per message, or per transaction for pgbench, each over its own measured window, as medians:");
        s.AppendLine();
        s.AppendLine("| what | rate | whole machine | CPU per message |");
        s.AppendLine("|---|---|---|---|");
        s.AppendLine(Inv, $"| pgbench, one-row insert ({Int(pgbench[0], "clients")} clients) | {F(Median(pgbench, "tps"))} TPS | {F(Median(pgbench, "machineCpuPercent"))} % | {Ms(PerMessage(pgbench, "tps"))} |");
        if (Median(pgbench, "clientCpuPercent") is { } client)
            s.AppendLine(Inv, $"| the same without pgbench's own client ({F(client)} %): PostgreSQL's side of the insert | | | {Ms(DatabaseSide(pgbench))} |");
        if (directCeiling.Count > 0)
            s.AppendLine(Inv, $"| bare SignalR hub, a direct message's wire traffic | {F(Median(directCeiling, "messagesPerSecond"))} msg/s | {F(Median(directCeiling, "machineCpuPercent"))} % | {Ms(PerMessage(directCeiling, "messagesPerSecond"))} |");
        var eventChat = PerMessage(direct, "messagesPerSecond");
        s.AppendLine(Inv, $"| EventChat, `direct` closed loop | {F(Median(direct, "messagesPerSecond"))} msg/s | {F(Median(direct, "machineCpuPercent"))} % | **{Ms(eventChat)}** |");
        if (Budget(direct, directCeiling, pgbench) is var (budget, floor) && budget > 0)
        {
            s.AppendLine(Inv, $"| the target: 0.5 × pgbench with every core busy | {F(0.5 * Median(direct, "ceilingTps"))} msg/s | {Environment.ProcessorCount * 100} % | **{Ms(budget)}** |");
            s.AppendLine();
            s.AppendLine(Inv, $"A bare hub's wire traffic and PostgreSQL's side of a one-row insert in a transaction of its own take {Ms(floor)} per message together, against the target's budget of {Ms(budget)}. EventChat takes {Ms(eventChat)}, {eventChat / budget:0.0} × the budget. (Group commit shares a commit among a batch's messages, so the floor is a little lower for a batching server, but not the hub's share.)");
        }
        s.AppendLine();
    }

    /// <summary>
    /// The target's CPU budget per message, and the floor under it: what a bare hub (its load generator included, as in
    /// EventChat's runs) plus PostgreSQL's side of a one-row insert spend per message (ms).
    /// </summary>
    private static (double Budget, double Floor)? Budget(List<JsonElement> direct, List<JsonElement> directCeiling, List<JsonElement> pgbench) =>
        Median(direct, "ceilingTps") is { } tps && tps > 0 && PerMessage(directCeiling, "messagesPerSecond") is { } hub && DatabaseSide(pgbench) is { } insert
            ? (Environment.ProcessorCount * 1000 / (0.5 * tps), hub + insert)
            : null;

    /// <summary>pgbench's CPU per transaction without its own client, where the run measured it (older runs did not).</summary>
    private static double? DatabaseSide(List<JsonElement> pgbench) =>
        MedianOf(pgbench.Select(r => (Num(r, "machineCpuPercent") - (Num(r, "clientCpuPercent") ?? 0)) * 10 / Num(r, "tps")));

    /// <summary>Milliseconds of the whole machine's CPU per message: the median over the runs of each run's own ratio.</summary>
    private static double? PerMessage(List<JsonElement> runs, string rate) =>
        MedianOf(runs.Select(r => Num(r, "machineCpuPercent") * 10 / Num(r, rate)));

    private static string Ms(double? v) => v is { } ms ? $"{ms:0.000} ms" : "n/a";

    private static string Machine()
    {
        string? model = null;
        double? memGiB = null;
        try
        {
            model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
            var mem = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (mem is not null)
                memGiB = double.Parse(mem.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Inv) / 1024 / 1024;
        }
        catch (IOException)
        {
        }
        return string.Create(Inv,
            $"Machine: {model ?? "unknown CPU"}, {Environment.ProcessorCount} logical CPUs, {memGiB?.ToString("0.#", Inv) ?? "?"} GiB memory, {RuntimeInformation.OSDescription}; {RuntimeInformation.FrameworkDescription}.");
    }

    private static List<JsonElement> Runs(IEnumerable<JsonElement> lines, string? label) =>
        [.. lines.Where(l => label is null || (Str(l, "label") ?? Str(l, "scenario")) == label)];

    private static string Times(IReadOnlyList<JsonElement> runs) => runs.Count > 1 ? $" (median of {runs.Count})" : "";

    private static string Load(JsonElement r) => Str(r, "scenario") switch
    {
        "direct" or "direct-ceiling" => $"{Int(r, "senders") / 2} pairs, {Int(r, "senders")} senders",
        "group" => $"{Int(r, "senders")} members in groups of {Int(r, "recipientsPerMessage") + 1}",
        "fanout" => $"{Int(r, "recipientsPerMessage")} viewers, {Int(r, "senders")} senders",
        _ => "",
    };

    private static string Errors(JsonElement r)
    {
        var total = Num(r, "errors") ?? 0;
        if (total == 0 || !r.TryGetProperty("errorKinds", out var kinds))
            return F(total);
        return F(total) + " (" + string.Join(", ", kinds.EnumerateObject().Select(k => $"{k.Name} {k.Value.GetInt64()}")) + ")";
    }

    private static string Met(bool met) => met ? "yes" : "**no**";

    private static double? Median(IReadOnlyList<JsonElement> runs, params string[] path) => MedianOf(runs.Select(r => Num(r, path)));

    private static double? MedianOf(IEnumerable<double?> readings)
    {
        var values = readings.OfType<double>().Where(double.IsFinite).Order().ToList();
        if (values.Count == 0)
            return null;
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    private static double? Num(JsonElement e, params string[] path)
    {
        foreach (var p in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e))
                return null;
        }
        return e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;
    }

    private static int Int(JsonElement e, string name) => (int)(Num(e, name) ?? 0);

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string F(double? v) => v switch
    {
        null => "n/a",
        >= 100 => v.Value.ToString("#,0", Inv),
        _ => v.Value.ToString("0.#", Inv),
    };

    private static string F2(double? v) => v?.ToString("0.0#", Inv) ?? "n/a";

    private static string R(double? v) => v?.ToString("0.000", Inv) ?? "n/a";
}

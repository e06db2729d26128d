using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EventChat.LoadTests;

/// <summary>What a scenario run prints: a human summary, then this as one JSON line.</summary>
public sealed record RunResult
{
    public required string Scenario { get; init; }
    public string? Label { get; init; }
    public required string Url { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required double DurationSeconds { get; init; }
    public required double WarmupSeconds { get; init; }
    public required double SetupSeconds { get; init; }
    public required int Users { get; init; }
    public required int Connections { get; init; }
    public int Senders { get; init; }
    public int RecipientsPerMessage { get; init; }
    public string Mode { get; init; } = "closed";
    public double? TargetRate { get; init; }
    public bool ClientMessageId { get; init; }
    public long MessagesSent { get; init; }
    public double MessagesPerSecond { get; init; }
    public long Deliveries { get; init; }
    public long DeliveriesExpected { get; init; }
    public double DeliveriesPerSecond { get; init; }
    public LatencySummary? Latency { get; init; }
    public LatencySummary? AckLatency { get; init; }
    public long Errors { get; init; }
    public SortedDictionary<string, long> ErrorKinds { get; init; } = [];
    public double? ServerRssMbBefore { get; init; }
    public double? ServerRssMbAfter { get; init; }
    public double? ServerKbPerConnection { get; init; }
    public double? ServerCpuPercent { get; init; }
    public double? DatabaseCpuPercent { get; init; }
    public double? LoadCpuPercent { get; init; }
    public double? MachineCpuPercent { get; init; }
    public double? CeilingTps { get; init; }
    public double? CeilingDeliveriesPerSecond { get; init; }
    public double? Ratio { get; init; }
    public string? Note { get; init; }

    // reconnect only: time from the simultaneous reconnect to each client being current, and what the catch-up found.
    public LatencySummary? Reconnect { get; init; }
    public LatencySummary? CatchUp { get; init; }
    public double? WallSeconds { get; init; }
    public long? Recovered { get; init; }
    public long? RecoveredExpected { get; init; }
    public long? Current { get; init; }
    public long? Duplicates { get; init; }
    public long? Gaps { get; init; }
    public long? SyncCalls { get; init; }

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public string HumanSummary()
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine(inv, $"== {Scenario}{(Label is null ? "" : $" ({Label})")} against {Url}");
        if (Mode == "idle")
            s.AppendLine(inv, $"   load: {Users} users, {Connections} idle connections for {DurationSeconds:0.#} s (set-up took {SetupSeconds:0.#} s)");
        else if (Mode != "reconnect")
            s.AppendLine(inv, $"   load: {Users} users, {Connections} connections, {Senders} senders, {Mode} loop{(TargetRate is { } r ? $" at {r:0.#} msg/s" : "")}, " +
                $"{DurationSeconds:0.#} s measured after {WarmupSeconds:0.#} s warm-up (set-up took {SetupSeconds:0.#} s)");
        if (Mode == "reconnect")
        {
            s.AppendLine(inv, $"   load: {Connections} reconnecting clients, each in a direct conversation with its own partner; {MessagesSent} messages sent while they were away (set-up took {SetupSeconds:0.#} s)");
            s.AppendLine(inv, $"   current:    {Current} of {Connections} clients within {DurationSeconds:0.#} s; all current after {WallSeconds:0.###} s (wall time from the simultaneous reconnect)");
            s.AppendLine(inv, $"   recovered:  {Recovered} of {RecoveredExpected} messages, {SyncCalls} sync calls");
            s.AppendLine(inv, $"   duplicates: {Duplicates}, gaps: {Gaps} (by message id and by per-conversation sequence; must be 0)");
            s.AppendLine(inv, $"   reconnect to current, per client: {CatchUp}");
            s.AppendLine(inv, $"   reconnect to connected:           {Reconnect}");
        }
        else if (Scenario != "idle")
        {
            s.AppendLine(inv, $"   sent:       {MessagesSent} messages = {MessagesPerSecond:0.#} msg/s (acknowledged by the server, in the window)");
            s.AppendLine(inv, $"   delivered:  {Deliveries} of {DeliveriesExpected} expected = {DeliveriesPerSecond:0.#} deliveries/s ({RecipientsPerMessage} recipient connection(s) per message)");
            s.AppendLine(inv, $"   send-to-deliver latency: {Latency}");
            s.AppendLine(inv, $"   send-to-ack latency:     {AckLatency}");
        }
        s.AppendLine(inv, $"   errors: {Errors}{(ErrorKinds.Count == 0 ? "" : " (" + string.Join(", ", ErrorKinds.Select(k => $"{k.Key} {k.Value}")) + ")")}");
        if (ServerRssMbBefore is not null || ServerRssMbAfter is not null)
        {
            var perConnection = ServerKbPerConnection is { } kb ? string.Create(inv, $" = {kb:0.#} KB per connection") : "";
            s.AppendLine(inv, $"   server memory (RSS): {ServerRssMbBefore?.ToString("0.#", inv) ?? "?"} MB before, {ServerRssMbAfter?.ToString("0.#", inv) ?? "?"} MB after{perConnection}");
        }
        else
            s.AppendLine("   server memory: not readable (give --server-pid, or serve Prometheus /metrics)");
        s.AppendLine(inv, $"   CPU (100 = one core): server {ServerCpuPercent?.ToString("0", inv) ?? "?"}, PostgreSQL {DatabaseCpuPercent?.ToString("0", inv) ?? "?"}, load generator {LoadCpuPercent:0}, whole machine {MachineCpuPercent?.ToString("0", inv) ?? "?"} of {Environment.ProcessorCount * 100}");
        if (Ratio is { } ratio)
            s.AppendLine(inv, $"   ratio to the ceiling: {ratio:0.000} ({(CeilingTps is { } t ? $"pgbench {t:0.#} TPS" : $"{CeilingDeliveriesPerSecond:0.#} deliveries/s")})");
        if (Note is not null)
            s.AppendLine(inv, $"   note: {Note}");
        return s.ToString();
    }
}

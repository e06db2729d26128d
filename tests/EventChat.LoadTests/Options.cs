using System.Globalization;
using System.Net;

namespace EventChat.LoadTests;

/// <summary>Command-line options of a scenario run. Every size and time is bounded, so a run always ends by itself.</summary>
public sealed class Options
{
    public const int MaxSeconds = 600;

    public required string Scenario { get; init; }
    public Uri Url { get; private set; } = new("http://127.0.0.1:5080");
    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(20);
    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(2);
    public int Pairs { get; private set; } = 16;

    /// <summary>direct: idle authenticated connections held open beside the pairs, as a node's other users are.</summary>
    public int IdleConnections { get; private set; }
    public int Groups { get; private set; } = 4;
    public int GroupSize { get; private set; } = 10;
    public double? Rate { get; private set; }
    public int Viewers { get; private set; } = 2000;
    public int Senders { get; private set; } = 4;
    public int Connections { get; private set; } = 1000;
    public int ConnectionsPerUser { get; private set; } = 10;
    public int Messages { get; private set; } = 5;
    public int SyncLimit { get; private set; } = 100;
    public int MaxOutstanding { get; private set; } = 16;
    public int ContentLength { get; private set; } = 80;
    public bool ClientMessageId { get; private set; } = true;
    public int? ServerPid { get; private set; }
    public int? DatabasePid { get; private set; }
    public string? Label { get; private set; }
    public double? CeilingTps { get; private set; }
    public double? CeilingDeliveries { get; private set; }
    public string? JsonOut { get; private set; }

    public const string Usage = """
        Usage: EventChat.LoadTests <scenario> [options]
               EventChat.LoadTests report <results.jsonl> [--update <docs/performance.md>] [--pg <text>]
               EventChat.LoadTests serve-ceiling <port>
                 serves the bare hub of direct-ceiling on a loopback port until stopped, with
                 POST /api/auth/register, for load from another process (./eventchat bench peers).

        Scenarios:
          direct     N pairs in direct conversations, both sides sending. Closed loop (one send in
                     flight per sender, flat out) unless --rate gives an open-loop total rate.
          direct-ceiling
                     the same pairs against a bare in-process SignalR hub (no auth, no database, no
                     EventChat) whose sendMessage pushes and answers what EventChat's does, in the same
                     shapes and sizes: the most this machine can do for a direct message's wire traffic.
          group      conversations of --group-size members (default 10), every member sending.
          fanout     one live session: --viewers connections join-stream, --senders send stream-chat.
          ceiling    the same fan-out against a bare in-process SignalR hub (no database, no EventChat):
                     what SignalR push plus this receiver can do on this machine.
          idle       --connections idle authenticated hub connections; server memory per connection.
          reconnect  --connections clients, each in a direct conversation with a partner, sync to a cursor and
                     drop; the partners send --messages each; all reconnect at once and resume with
                     sync. Reports time to current, messages recovered, duplicates and gaps.

        Options (defaults in brackets):
          --url URL                 EventChat's base URL; loopback only [http://127.0.0.1:5080]
          --duration T              measured time, e.g. 20s, 500ms, 1m; reconnect: how long the clients
                                    get to catch up [20s]
          --warmup T                unmeasured load before it [2s]
          --pairs N                 direct, direct-ceiling: pairs [16]
          --idle-connections N      direct: N idle authenticated connections held open beside the pairs
                                    (--conns-per-user per account), as a node's other users are [0]
          --groups N                group: conversations [4]
          --group-size N            group: members per conversation [10]
          --rate R                  direct, direct-ceiling, group: open loop at R messages/s in total
          --viewers N               fanout/ceiling: viewer connections [2000]
          --senders N               fanout/ceiling: sending accounts, one connection each [4]
          --connections K           idle: connections [1000]; reconnect: reconnecting clients [200]
          --messages M              reconnect: messages each partner sends while its client is away [5]
          --sync-limit N            reconnect: the limit of each sync call, 1 to 500 [100]
          --conns-per-user N        connections opened per account (server limit
                                    EventChat__Limits__MaxConnectionsPerUser, default 10) [10]
          --max-outstanding N       open loop: sends in flight per sender before one is shed [16]
          --content-length N        characters per message [80]
          --no-client-message-id    send without clientMessageId (skips the server's retry lookup)
          --server-pid PID          read the server's RSS and CPU from /proc/PID
          --pg-pid PID              PostgreSQL's postmaster: report its and its backends' CPU
          --label TEXT              names the run in the JSON line and the report
          --ceiling-tps X           pgbench TPS measured for this run; adds ratio to the JSON line
          --ceiling-deliveries X    ceiling deliveries/s for fanout; adds ratio to the JSON line
          --json-out FILE           also append the JSON line to FILE
        """;

    public static Options Parse(string scenario, IReadOnlyList<string> args)
    {
        var o = new Options { Scenario = scenario };
        if (scenario == "reconnect")
            o.Connections = 200;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--url": o.Url = LoopbackUrl(Value()); break;
                case "--duration": o.Duration = Time(name, Value()); break;
                case "--warmup": o.Warmup = Time(name, Value(), allowZero: true); break;
                case "--pairs": o.Pairs = Int(name, Value(), 1, 2000); break;
                case "--idle-connections": o.IdleConnections = Int(name, Value(), 0, 50_000); break;
                case "--groups": o.Groups = Int(name, Value(), 1, 500); break;
                case "--group-size": o.GroupSize = Int(name, Value(), 2, 1000); break;
                case "--rate": o.Rate = Double(name, Value(), 0.1, 200_000); break;
                case "--viewers": o.Viewers = Int(name, Value(), 1, 20_000); break;
                case "--senders": o.Senders = Int(name, Value(), 1, 1000); break;
                case "--connections": o.Connections = Int(name, Value(), 1, 20_000); break;
                case "--messages": o.Messages = Int(name, Value(), 1, 1000); break;
                case "--sync-limit": o.SyncLimit = Int(name, Value(), 1, 500); break;
                case "--conns-per-user": o.ConnectionsPerUser = Int(name, Value(), 1, 20_000); break;
                case "--max-outstanding": o.MaxOutstanding = Int(name, Value(), 1, 10_000); break;
                case "--content-length": o.ContentLength = Int(name, Value(), 24, 4000); break;
                case "--no-client-message-id": o.ClientMessageId = false; break;
                case "--server-pid": o.ServerPid = Int(name, Value(), 1, int.MaxValue); break;
                case "--pg-pid": o.DatabasePid = Int(name, Value(), 1, int.MaxValue); break;
                case "--label": o.Label = Value(); break;
                case "--ceiling-tps": o.CeilingTps = Double(name, Value(), 0, double.MaxValue); break;
                case "--ceiling-deliveries": o.CeilingDeliveries = Double(name, Value(), 0, double.MaxValue); break;
                case "--json-out": o.JsonOut = Value(); break;
                default: throw new ArgumentException($"unknown option '{name}'");
            }
        }
        return o;
    }

    /// <summary>Load goes to this machine only: a loopback IP or "localhost", never a name that might resolve elsewhere.</summary>
    public static Uri LoopbackUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"--url '{text}' is not an http(s) URL");
        var host = uri.Host.Trim('[', ']');
        var loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
        if (!loopback)
            throw new ArgumentException($"refusing --url '{text}': the load generator only targets loopback addresses (127.0.0.0/8, [::1], localhost)");
        return uri;
    }

    public static TimeSpan Time(string name, string text, bool allowZero = false)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw new ArgumentException($"{name} '{text}' is not a time such as 20s, 500ms or 1m");
        var seconds = value * unit;
        if (seconds < 0 || (!allowZero && seconds <= 0) || seconds > MaxSeconds)
            throw new ArgumentException($"{name} must be {(allowZero ? "0" : "more than 0")} to {MaxSeconds}s");
        return TimeSpan.FromSeconds(seconds);
    }

    private static int Int(string name, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v : throw new ArgumentException($"{name} must be a whole number from {min} to {max}");

    private static double Double(string name, string text, double min, double max) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v : throw new ArgumentException($"{name} must be a number from {min} to {max}");
}

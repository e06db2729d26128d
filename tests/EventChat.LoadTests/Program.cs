using EventChat.LoadTests;

// The EventChat load generator; docs/performance.md explains the scenarios and how ./eventchat bench uses them.
string[] scenarioNames = ["direct", "direct-ceiling", "group", "fanout", "ceiling", "idle", "reconnect"];

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Options.Usage);
    return args.Length == 0 ? 2 : 0;
}

var scenario = args[0];
if (scenario == "report")
    return Report.Run(args[1..]);
if (scenario == "serve-ceiling")
    return args.Length == 2 && int.TryParse(args[1], out var port) ? await CeilingHub.Serve(port) : 2;
if (!scenarioNames.Contains(scenario))
{
    Console.Error.WriteLine($"unknown scenario '{scenario}'\n");
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

Options options;
try
{
    options = Options.Parse(scenario, args[1..]);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}\n\n{Options.Usage}");
    return 2;
}

// Bounded in time: set-up gets three minutes on top of the run; past that the run is cancelled, and a
// hung shutdown is cut short by the hard stop.
var budget = options.Warmup + options.Duration + TimeSpan.FromMinutes(3);
using var cts = new CancellationTokenSource(budget);
var interrupted = false;
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted = true;
    cts.Cancel();
};
using var hardStop = new Timer(_ =>
{
    Console.Error.WriteLine("error: the run overran its time limit; exiting");
    Environment.Exit(4);
}, null, budget + TimeSpan.FromSeconds(45), Timeout.InfiniteTimeSpan);

// The ceiling hub runs in this process, so "the server" is this process there.
var bareHub = scenario is "ceiling" or "direct-ceiling";
var probe = new ProcessProbe(bareHub ? Environment.ProcessId : options.ServerPid);
using var api = new EventChatClient(options.Url, probe, scrapeMetrics: !bareHub);
var scenarios = new Scenarios(options, api, probe);
try
{
    var result = scenario switch
    {
        "direct" => await scenarios.Direct(cts.Token),
        "direct-ceiling" => await scenarios.DirectCeiling(cts.Token),
        "group" => await scenarios.Group(cts.Token),
        "fanout" => await scenarios.Fanout(cts.Token),
        "ceiling" => await scenarios.Ceiling(cts.Token),
        "reconnect" => await scenarios.Reconnect(cts.Token),
        _ => await scenarios.Idle(cts.Token),
    };
    var json = result.ToJson();
    Console.Write(result.HumanSummary());
    if (result.ErrorKinds.ContainsKey("rate_limited") || result.ErrorKinds.ContainsKey("connection_limit"))
        Console.WriteLine("   hint: the server's per-user limits refused calls; start it with raised EventChat__Limits__MessagesPerSecond, "
            + "EventChat__Limits__MessageBurst and EventChat__Limits__MaxConnectionsPerUser (./eventchat bench does), or lower --conns-per-user.");
    Console.WriteLine(json);
    if (options.JsonOut is { } file)
        await File.AppendAllTextAsync(file, json + "\n");
    return 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine(interrupted
        ? $"{scenario}: interrupted"
        : $"error: {scenario} did not finish within its time limit ({budget.TotalSeconds:0} s) and was stopped");
    return interrupted ? 130 : 1;
}
catch (HttpRequestException e)
{
    Console.Error.WriteLine($"error: {scenario} against {options.Url}: {e.Message}");
    return 1;
}

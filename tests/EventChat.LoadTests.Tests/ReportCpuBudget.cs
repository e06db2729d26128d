using System.Globalization;
using System.Text.Json;
using static System.FormattableString;

namespace EventChat.LoadTests.Tests;

public sealed class ReportCpuBudget
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // Budget: every core busy at 0.5 x pgbench TPS. Floor: the bare hub's machine CPU per message plus pgbench's
    // per transaction without its own client.
    private static double BudgetMs(double tps) => Environment.ProcessorCount * 1000 / (0.5 * tps);

    [Fact]
    public void The_target_fits_when_a_bare_hub_and_an_insert_leave_room_in_the_budget()
    {
        // 10,000 TPS: budget = cores x 1000 / 5,000 ms. Hub 0.05 ms + insert (90 - 10) % x 10 / 10,000 = 0.08 ms.
        var report = Render(tps: 10_000, pgbenchCpu: 90, clientCpu: 10, hubRate: 20_000, hubCpu: 100, eventChatRate: 1_000, eventChatCpu: 150);
        var floor = 0.05 + 0.08;

        Assert.Contains("| 10,000 TPS | 90 % | 0.090 ms |", report);
        Assert.Contains("PostgreSQL's side of the insert | | | 0.080 ms |", report);
        Assert.Contains("| EventChat, `direct` closed loop | 1,000 msg/s | 150 % | **1.500 ms** |", report);
        Assert.Contains(Invariant($"| {floor:0.000} ms against a budget of **{BudgetMs(10_000):0.000} ms** per message | yes: {floor / BudgetMs(10_000):0.00} × the budget |"), report);
    }

    [Fact]
    public void The_target_does_not_fit_when_a_bare_hub_and_an_insert_already_spend_the_budget()
    {
        // Hub 190 % at 100 msg/s = 19 ms per message: more than the budget of any machine below 95 cores at 10,000 TPS.
        var report = Render(tps: 10_000, pgbenchCpu: 90, clientCpu: 10, hubRate: 100, hubCpu: 190, eventChatRate: 1_000, eventChatCpu: 150);
        var floor = 19 + 0.08;

        Assert.Contains(Invariant($"| {floor:0.000} ms against a budget of **{BudgetMs(10_000):0.000} ms** per message | **no**: {floor / BudgetMs(10_000):0.00} × the budget before EventChat does anything |"), report);
    }

    [Fact]
    public void Without_pgbench_cpu_readings_there_is_no_cpu_table_and_no_verdict()
    {
        var report = Render(tps: 10_000, pgbenchCpu: null, clientCpu: null, hubRate: 20_000, hubCpu: 100, eventChatRate: 1_000, eventChatCpu: 150);

        Assert.DoesNotContain("CPU per message:", report);
        Assert.DoesNotContain("within this machine's CPU", report);
    }

    private static string Render(double tps, double? pgbenchCpu, double? clientCpu, double hubRate, double hubCpu, double eventChatRate, double eventChatCpu)
    {
        var cpu = pgbenchCpu is { } c ? $",\"machineCpuPercent\":{c.ToString(Inv)},\"clientCpuPercent\":{clientCpu!.Value.ToString(Inv)}" : "";
        string[] lines =
        [
            $$"""{"scenario":"pgbench","label":"pgbench-direct","clients":32,"seconds":5,"tps":{{tps.ToString(Inv)}}{{cpu}}}""",
            $$"""{"scenario":"direct","label":"direct-closed","senders":32,"messagesPerSecond":{{eventChatRate.ToString(Inv)}},"machineCpuPercent":{{eventChatCpu.ToString(Inv)}},"ceilingTps":{{tps.ToString(Inv)}},"ratio":{{(eventChatRate / tps).ToString(Inv)}},"errors":0}""",
            $$"""{"scenario":"direct-ceiling","label":"direct-ceiling","senders":32,"messagesPerSecond":{{hubRate.ToString(Inv)}},"machineCpuPercent":{{hubCpu.ToString(Inv)}},"errors":0}""",
        ];
        return Report.Render([.. lines.Select(l => JsonDocument.Parse(l).RootElement.Clone())], pg: null);
    }
}

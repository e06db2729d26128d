namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that start a second app in this process (<see cref="EventChatServer.StartIsolated"/>), and the test
/// that reads the shared app's metrics, never run at the same time. Metrics are collected by meter name across
/// the process, so while a second app runs, its gauges (no users connected, say) would show in the shared app's
/// scrape. In production there is one app per process.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SecondServerCollection
{
    public const string Name = "Tests that start a second server, or read process-wide metrics";
}

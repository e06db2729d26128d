using System.Text.Json;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// One event of a conversation's audit trail (<c>GET …/events</c>), as the server's <c>HistoryEvent</c> writes it. No SDK
/// call reads the trail, so the tests share this record, read strictly (<see cref="Typed"/>).
/// </summary>
public sealed record TrailEvent(string Type, long Version, long Sequence, DateTimeOffset Timestamp, Guid? Actor, JsonElement Data, bool Redacted, bool Erased);

/// <summary>A page of the trail. Its items stay JSON for the tests that compare them byte for byte; <see cref="Events"/> reads them.</summary>
public sealed record TrailPage(IReadOnlyList<JsonElement> Items, bool HasMore)
{
    public IReadOnlyList<TrailEvent> Events => [.. Items.Select(item => item.As<TrailEvent>())];
}

public static class EventTrail
{
    /// <summary>A page of <paramref name="conversationId"/>'s trail as <paramref name="user"/> may see it; <paramref name="query"/> starts with <c>?</c>.</summary>
    public static Task<TrailPage> Trail(this TestUser user, Guid conversationId, string query = "") =>
        user.Get<TrailPage>($"/api/chat/conversations/{conversationId}/events{query}");
}

using EventChat.Domain.Conversations;
using EventChat.Projections;

namespace EventChat.IntegrationTests;

public sealed class Projections
{
    // Marten skips an event its projection has no method for; for the write-model snapshot that would
    // silently stop LastSequence counting that event, and message numbers would drift from the stream.
    [Fact]
    public void The_conversation_snapshot_forwards_every_conversation_event()
    {
        var events = typeof(IConversationEvent).Assembly.GetTypes()
            .Where(t => t.IsClass && typeof(IConversationEvent).IsAssignableFrom(t) && t != typeof(ConversationStarted));
        var forwarded = typeof(ConversationSnapshot).GetMethods()
            .Where(m => m.Name == "Apply")
            .Select(m => m.GetParameters()[0].ParameterType);

        Assert.Empty(events.Except(forwarded));
    }
}

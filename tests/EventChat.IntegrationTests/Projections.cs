using EventChat.Domain.Conversations;
using EventChat.Domain.Posts;
using EventChat.Domain.Streams;
using EventChat.Projections;

namespace EventChat.IntegrationTests;

public sealed class Projections
{
    // Marten skips an event its projection has no method for; for the write-model snapshot that would
    // silently stop LastSequence counting that event, and message numbers would drift from the stream.
    [Theory]
    [InlineData(typeof(IConversationEvent), typeof(ConversationStarted), typeof(ConversationSnapshot))]
    [InlineData(typeof(ILiveSessionEvent), typeof(LiveSessionStarted), typeof(LiveSessionSnapshot))]
    [InlineData(typeof(IPostEvent), typeof(PostCreated), typeof(PostSnapshot))]
    public void A_write_model_snapshot_forwards_every_event_of_its_stream(Type streamEvent, Type firstEvent, Type snapshot)
    {
        var events = streamEvent.Assembly.GetTypes()
            .Where(t => t.IsClass && streamEvent.IsAssignableFrom(t) && t != firstEvent);
        var forwarded = snapshot.GetMethods()
            .Where(m => m.Name == "Apply")
            .Select(m => m.GetParameters()[0].ParameterType);

        Assert.Empty(events.Except(forwarded));
    }
}

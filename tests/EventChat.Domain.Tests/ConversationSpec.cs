using EventChat.Domain;
using EventChat.Domain.Conversations;

namespace EventChat.Domain.Tests;

/// <summary>Given events (the stream so far), when a decision, then events or a broken rule.</summary>
public abstract class ConversationSpec
{
    protected static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    protected static readonly Guid Alice = Guid.Parse("0199a000-0000-7000-8000-00000000000a");
    protected static readonly Guid Bob = Guid.Parse("0199a000-0000-7000-8000-00000000000b");
    protected static readonly Guid Carol = Guid.Parse("0199a000-0000-7000-8000-00000000000c");
    protected static readonly Guid Dave = Guid.Parse("0199a000-0000-7000-8000-00000000000d");

    /// <summary>Folds events the way Marten does: Create from the first, Apply for the rest.</summary>
    protected static Conversation Given(params IConversationEvent[] events) =>
        events.Skip(1).Aggregate(Conversation.Create((ConversationStarted)events[0]), (state, e) => state.Apply(e));

    protected static ConversationStarted DirectChat(Guid a, Guid b) => Conversation.StartDirect(a, b, Now);

    protected static ConversationStarted GroupChat(Guid creator, params Guid[] others) =>
        Conversation.StartGroup(Guid.CreateVersion7(), creator, others, "Team", Now);

    protected static MessageSent Sent(Conversation c, Guid sender, string content = "hi") =>
        c.Send(Guid.CreateVersion7(), sender, content, MessageTypes.Text, null, Now);

    protected static void ThenBroken(DomainError expected, Action when) =>
        Assert.Equal(expected, Assert.Throws<DomainException>(when).Error);

    /// <summary>A broken rule whose message is part of the contract: clients show it as it is (docs/api.md).</summary>
    protected static void ThenBroken(DomainError expected, string message, Action when)
    {
        var broken = Assert.Throws<DomainException>(when);
        Assert.Equal((expected, message), (broken.Error, broken.Message));
    }
}

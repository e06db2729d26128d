using System.Runtime.CompilerServices;
using EventChat.Domain.Conversations;
using EventChat.Domain.Posts;
using EventChat.Domain.Streams;
using EventChat.Domain.Users;

namespace EventChat.Domain.Tests;

/// <summary>
/// Each aggregate's Apply has a case for every event of its stream but the first (which Create takes). A missing case
/// would throw at the first such event; one Marten skipped would silently break message numbering, likes or roles.
/// </summary>
public sealed class EveryEventIsApplied : ConversationSpec
{
    [Fact]
    public void By_the_conversation() =>
        AppliesEvery<IConversationEvent>(e => Given(GroupChat(Alice, Bob)).Apply(e), new StrangeConversationEvent(), typeof(ConversationStarted));

    [Fact]
    public void By_the_user_account() =>
        AppliesEvery<IUserAccountEvent>(e => UserAccount.Create(UserAccount.Register(Bob, "bob", null, "hash", Now)).Apply(e),
            new StrangeUserEvent(), typeof(UserRegistered), typeof(UserProvisioned));

    [Fact]
    public void By_the_post() =>
        AppliesEvery<IPostEvent>(e => Post.Create(Post.Write(Guid.CreateVersion7(), Alice, "hello", Now)).Apply(e), new StrangePostEvent(), typeof(PostCreated));

    [Fact]
    public void By_the_live_session() =>
        AppliesEvery<ILiveSessionEvent>(e => LiveSession.Create(LiveSession.Start(Guid.CreateVersion7(), Alice, "Launch", Now)).Apply(e),
            new StrangeLiveSessionEvent(), typeof(LiveSessionStarted));

    /// <summary>
    /// Applies one of every concrete <typeparamref name="TEvent"/> in the Domain assembly (its fields left at their defaults:
    /// only which case it reaches matters), and proves the default case really throws, with an event the Domain never had.
    /// </summary>
    private static void AppliesEvery<TEvent>(Action<TEvent> apply, TEvent stranger, params Type[] creators)
    {
        var applied = typeof(TEvent).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(TEvent).IsAssignableFrom(t))
            .Except(creators).ToList();
        Assert.NotEmpty(applied);

        Assert.Empty(applied.Where(t => FallsThrough(() => apply((TEvent)RuntimeHelpers.GetUninitializedObject(t)))).Select(t => t.Name));
        Assert.True(FallsThrough(() => apply(stranger)));
    }

    private static bool FallsThrough(Action apply)
    {
        try
        {
            apply();
            return false;
        }
        catch (UnknownEventException)
        {
            return true;
        }
    }

    private sealed record StrangeConversationEvent(Guid ConversationId = default) : IConversationEvent;

    private sealed record StrangeUserEvent(Guid UserId = default) : IUserAccountEvent;

    private sealed record StrangePostEvent(Guid PostId = default) : IPostEvent;

    private sealed record StrangeLiveSessionEvent(Guid SessionId = default) : ILiveSessionEvent;
}

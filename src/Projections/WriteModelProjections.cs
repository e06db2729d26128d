using EventChat.Domain.Conversations;
using EventChat.Domain.Posts;
using EventChat.Domain.Users;
using Marten.Events.Aggregation;

namespace EventChat.Projections;

// The domain's aggregates know nothing of Marten (Domain references only the BCL), and Marten 9 dispatches
// Create/Apply through a source generator that runs only where Marten is referenced. These projections
// are that bridge: each method names one event type, so Marten knows which events to hand over, and passes it
// to the aggregate's own Create or its one Apply (the integration test
// Projections.A_write_model_snapshot_forwards_every_event_of_its_stream checks that none is left out).

/// <summary>Keeps the <see cref="Conversation"/> write model snapshotted, so a decision loads one row.</summary>
public sealed partial class ConversationSnapshot : SingleStreamProjection<Conversation, Guid>
{
    public static Conversation Create(ConversationStarted e) => Conversation.Create(e);

    public static Conversation Apply(MessageSent e, Conversation state) => state.Apply(e);

    public static Conversation Apply(MessageEdited e, Conversation state) => state.Apply(e);

    public static Conversation Apply(MessageDeleted e, Conversation state) => state.Apply(e);

    public static Conversation Apply(MessagesMarkedRead e, Conversation state) => state.Apply(e);

    public static Conversation Apply(ParticipantAdded e, Conversation state) => state.Apply(e);

    public static Conversation Apply(ParticipantRemoved e, Conversation state) => state.Apply(e);

    public static Conversation Apply(ParticipantLeft e, Conversation state) => state.Apply(e);

    public static Conversation Apply(ConversationErasureConsented e, Conversation state) => state.Apply(e);

    public static Conversation Apply(ConversationContentErased e, Conversation state) => state.Apply(e);
}

public sealed partial class UserAccountSnapshot : SingleStreamProjection<UserAccount, Guid>
{
    public static UserAccount Create(UserRegistered e) => UserAccount.Create(e);

    public static UserAccount Create(UserProvisioned e) => UserAccount.Create(e);

    public static UserAccount Apply(UserProfileChanged e, UserAccount state) => state.Apply(e);

    public static UserAccount Apply(UserDeactivated e, UserAccount state) => state.Apply(e);

    public static UserAccount Apply(UserReactivated e, UserAccount state) => state.Apply(e);

    public static UserAccount Apply(UserErased e, UserAccount state) => state.Apply(e);

    public static UserAccount Apply(UserRoleChanged e, UserAccount state) => state.Apply(e);
}

/// <summary>Keeps the <see cref="Post"/> write model snapshotted, so a like or comment loads one row.</summary>
public sealed partial class PostSnapshot : SingleStreamProjection<Post, Guid>
{
    public static Post Create(PostCreated e) => Post.Create(e);

    public static Post Apply(PostLiked e, Post state) => state.Apply(e);

    public static Post Apply(PostUnliked e, Post state) => state.Apply(e);

    public static Post Apply(PostCommented e, Post state) => state.Apply(e);
}

using EventChat.Application.Privacy;
using EventChat.Application.Users;
using EventChat.Domain.Users;
using Marten;

namespace EventChat.Api.Storage;

/// <summary>
/// What the store keeps beside the read models, which are Projections' (<c>AddEventChatProjections</c>): the use cases'
/// own documents and their columns, and the masking rules erasure applies to stored events. Application reads and
/// writes these documents but does not define how they are stored, as the Domain does not for its events.
/// </summary>
public static class StoreSchema
{
    public static StoreOptions AddEventChatDocuments(this StoreOptions opts)
    {
        // Encryption at rest (docs/privacy.md): the data keys, found by conversation and by user, and the master-key check.
        opts.Schema.For<DataKey>().Duplicate(k => k.ConversationId).Duplicate(k => k.UserId);
        opts.Schema.For<MasterKeyCheck>();
        opts.Schema.For<RoleClaim>();

        // Erasing a user overwrites the personal fields of their registration in mt_events (Marten's event data masking).
        opts.Events.AddMaskingRuleForProtectedInformation<UserRegistered>(e =>
            e with { Username = $"erased:{e.UserId:N}", DisplayName = UserAccount.ErasedName, PasswordHash = "" });
        // An app user's id in the app may be personal too (an email address): it goes with the rest.
        opts.Events.AddMaskingRuleForProtectedInformation<UserProvisioned>(e =>
            e with { ExternalId = $"erased:{e.UserId:N}", DisplayName = UserAccount.ErasedName, AvatarUrl = null, CustomData = null });
        opts.Events.AddMaskingRuleForProtectedInformation<UserProfileChanged>(e =>
            e with { DisplayName = UserAccount.ErasedName, AvatarUrl = null, CustomData = null });
        return opts;
    }
}

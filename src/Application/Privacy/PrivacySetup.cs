using EventChat.Domain.Users;
using EventChat.Projections;
using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace EventChat.Application.Privacy;

public static class PrivacySetup
{
    /// <summary>The key table, the master-key check, the erasable search index, and what erasing a user overwrites.</summary>
    public static StoreOptions AddEventChatPrivacy(this StoreOptions opts)
    {
        opts.Schema.For<DataKey>().Duplicate(k => k.ConversationId).Duplicate(k => k.UserId);
        opts.Schema.For<MasterKeyCheck>();

        var search = new Table(new PostgresqlObjectName(opts.DatabaseSchemaName, MessageSearchIndex.Table, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        search.AddColumn<Guid>("message_id").AsPrimaryKey();
        search.AddColumn<Guid>("conversation_id").NotNull();
        search.AddColumn<Guid>("sender_id").NotNull();
        search.AddColumn("vector", "tsvector").NotNull();
        search.Indexes.Add(new IndexDefinition($"ix_{MessageSearchIndex.Table}_vector") { Method = IndexMethod.gin, Columns = ["vector"] }.WithoutPendingList());
        search.Indexes.Add(new IndexDefinition($"ix_{MessageSearchIndex.Table}_conversation") { Columns = ["conversation_id"] });
        search.Indexes.Add(new IndexDefinition($"ix_{MessageSearchIndex.Table}_sender") { Columns = ["sender_id"] });
        opts.Storage.ExtendedSchemaObjects.Add(search);

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

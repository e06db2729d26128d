namespace EventChat.Application.Privacy;

/// <summary>
/// The key one user's messages in one conversation are encrypted under, wrapped by the master key. Erasing the
/// conversation destroys every key of the conversation; erasing a user destroys every key of theirs. Destroyed means
/// <see cref="WrappedKey"/> is gone: the row stays, so a reader can tell "erased" from "missing".
/// Attachments use the uploader's key with <see cref="ConversationId"/> = <see cref="Guid.Empty"/>.
/// </summary>
/// <param name="MasterKeyId">The <see cref="MasterKey.Id"/> that wrapped it.</param>
public sealed record DataKey(Guid Id, Guid ConversationId, Guid UserId, string? WrappedKey, string MasterKeyId, DateTimeOffset CreatedAt, DateTimeOffset? ErasedAt = null)
{
    public DataKey Destroyed(DateTimeOffset now) => this with { WrappedKey = null, ErasedAt = ErasedAt ?? now };
}

/// <summary>A data key unwrapped, as it seals and opens texts: held in memory only, never stored.</summary>
public readonly record struct LiveKey(Guid Id, byte[] Bytes);

/// <summary>A key just created for an author's texts in a conversation: <see cref="Stored"/> is the row to write with them.</summary>
public sealed record CreatedKey(DataKey Stored, LiveKey Live);

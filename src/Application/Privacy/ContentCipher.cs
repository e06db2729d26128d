using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using EventChat.Domain;
using EventChat.Domain.Conversations;
using EventChat.Domain.Users;
using EventChat.Projections;
using Marten;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Privacy;

/// <summary>
/// Encrypts message text before it is appended and decrypts it where it is read. Text is sealed with AES-256-GCM under
/// the data key of (conversation, author) and stored as <c>enc:v1:{keyId}:{base64 nonce|ciphertext|tag}</c> in events
/// and read models alike. A reader asks for the keys a batch of texts needs in one round trip, so an erased key
/// (destroyed by <see cref="Erasure"/>) is seen at once on every node; only the unwrapping is cached.
/// </summary>
public sealed class ContentCipher(MasterKey master, TimeProvider clock, ILogger<ContentCipher> log)
{
    public const string Prefix = "enc:v1:";

    /// <summary>What erased text reads as, everywhere.</summary>
    public const string ErasedText = "[erased]";

    private const int MaxCachedKeys = 100_000;
    private readonly ConcurrentDictionary<(Guid Id, string Wrapped), byte[]> _unwrapped = new();

    private static string SealWith(LiveKey key, string text) =>
        $"{Prefix}{key.Id:N}:{MasterKey.Seal(key.Bytes, Encoding.UTF8.GetBytes(text), key.Id.ToByteArray())}";

    /// <summary>
    /// Seals the texts written in one Marten session (an edit): the live keys of the conversations are read in one
    /// round trip, and a key created for an author's first message there serves their next ones in the same
    /// transaction. Callers hold the conversations' stream locks, so two writers never create two. (Sends seal with
    /// the keys their writer holds: <see cref="Sealed(MessageSent, LiveKey)"/>.)
    /// </summary>
    public async Task<BatchSealer> SealerFor(IDocumentSession session, IReadOnlyCollection<Guid> conversationIds, CancellationToken ct)
    {
        // A plain local, not a call inside the query: Marten compiles any expression it must evaluate, and that JIT
        // work was once the server's largest cost under load (docs/performance-history.md).
        Guid[] ids = [.. conversationIds];
        var keys = await session.Query<DataKey>().Where(k => k.ConversationId.IsOneOf(ids) && k.ErasedAt == null).ToListAsync(ct);
        return new(this, session, keys.ToDictionary(k => (k.ConversationId, k.UserId), Live));
    }

    public sealed class BatchSealer(ContentCipher cipher, IDocumentSession session, Dictionary<(Guid, Guid), LiveKey> live)
    {
        /// <summary>The event as it is stored: its text sealed under its author's key.</summary>
        public async Task<MessageSent> Sealed(MessageSent sent, CancellationToken ct) =>
            sent with { Content = await Seal(sent.ConversationId, sent.SenderId, sent.Content, ct) };

        /// <summary>The event as it is stored: its new text sealed under its author's key.</summary>
        public async Task<MessageEdited> Sealed(MessageEdited edited, CancellationToken ct) =>
            edited with { Content = await Seal(edited.ConversationId, edited.EditorId, edited.Content, ct) };

        // The author's live key for the conversation, created on their first message there or after an erasure.
        private async Task<string> Seal(Guid conversationId, Guid authorId, string text, CancellationToken ct)
        {
            if (!live.TryGetValue((conversationId, authorId), out var key))
            {
                var created = await cipher.NewKey(session, conversationId, authorId, ct);
                session.Insert(created.Stored);
                live[(conversationId, authorId)] = key = created.Live;
            }
            return SealWith(key, text);
        }
    }

    /// <summary>A new key for the author's texts in the conversation. Refuses an erased author.</summary>
    public async Task<CreatedKey> NewKey(IQuerySession session, Guid conversationId, Guid authorId, CancellationToken ct)
    {
        // Only here, on the rare first write, is the author checked: an erased account's keys are all destroyed, so it always lands here.
        var author = await session.LoadAsync<UserAccount>(authorId, ct);
        if (author is null || author.ErasedAt is not null)
            throw new DomainException(DomainError.Unauthenticated, "This account has been erased.");
        var raw = RandomNumberGenerator.GetBytes(MasterKey.KeyBytes);
        var id = Guid.CreateVersion7();
        return new(new DataKey(id, conversationId, authorId, master.Wrap(raw, id.ToString()), master.Id, clock.GetUtcNow()), new LiveKey(id, raw));
    }

    /// <summary>What seals texts under a stored, live key.</summary>
    public LiveKey Live(DataKey key) => new(key.Id, Unwrapped(key));

    /// <summary>The event as it is stored: its text sealed under <paramref name="key"/>, its author's live key.</summary>
    public static MessageSent Sealed(MessageSent sent, LiveKey key) => sent with { Content = SealWith(key, sent.Content) };

    /// <summary>
    /// A new key for one attachment's bytes (its id is the attachment's, its owner the uploader, no conversation), and
    /// the bytes sealed under it as they are read. The caller stores the key with the attachment's record.
    /// </summary>
    public (DataKey Key, Stream Sealed) SealFile(Guid attachmentId, Guid uploaderId, Stream plain)
    {
        var raw = RandomNumberGenerator.GetBytes(MasterKey.KeyBytes);
        var key = new DataKey(attachmentId, Guid.Empty, uploaderId, master.Wrap(raw, attachmentId.ToString()), master.Id, clock.GetUtcNow());
        return (key, SealedFile.Sealing(plain, raw, attachmentId));
    }

    /// <summary>The attachment's bytes decrypted; null once its key is destroyed. Files stored before encryption have no key and are served as they are.</summary>
    public async Task<Stream?> OpenFile(IQuerySession session, Guid attachmentId, Stream stored, CancellationToken ct)
    {
        var key = await session.LoadAsync<DataKey>(attachmentId, ct);
        if (key is null)
            return stored;
        if (key.WrappedKey is null)
        {
            await stored.DisposeAsync();
            return null;
        }
        return SealedFile.Opening(stored, Unwrapped(key), attachmentId);
    }

    /// <summary>The keys <paramref name="stored"/> texts were sealed with, in one round trip; open each with <see cref="Plaintexts.Read"/>.</summary>
    public async Task<Plaintexts> Keys(IQuerySession session, IEnumerable<string?> stored, CancellationToken ct)
    {
        Guid[] ids = [.. stored.Select(s => Parse(s)?.KeyId).OfType<Guid>().Distinct()];
        var keys = ids.Length == 0 ? [] : await session.LoadManyAsync<DataKey>(ct, ids);
        return new(this, keys.ToDictionary(k => k.Id));
    }

    /// <summary>Messages as their readers see them: decrypted, or marked erased with no text and no files.</summary>
    public async Task<IReadOnlyList<MessageView>> Reveal(IQuerySession session, IReadOnlyList<MessageView> messages, CancellationToken ct)
    {
        var keys = await Keys(session, messages.Select(m => m.Content), ct);
        return [.. messages.Select(keys.Reveal)];
    }

    public async Task<MessageView> Reveal(IQuerySession session, MessageView message, CancellationToken ct) =>
        (await Reveal(session, [message], ct))[0];

    /// <summary>Conversations with their last message readable.</summary>
    public async Task<IReadOnlyList<ConversationView>> Reveal(IQuerySession session, IReadOnlyList<ConversationView> views, CancellationToken ct)
    {
        var keys = await Keys(session, views.Select(v => v.LastMessage?.Content), ct);
        return [.. views.Select(v => v.LastMessage is null ? v : v with { LastMessage = keys.Reveal(v.LastMessage) })];
    }

    private void Undecryptable(Guid keyId) =>
        log.LogWarning("a text sealed under data key {KeyId} does not decrypt; it is shown as stored", keyId);

    private byte[] Unwrapped(DataKey key)
    {
        if (key.WrappedKey is null)
            throw new InvalidOperationException($"Data key {key.Id} has been destroyed.");
        if (key.MasterKeyId != master.Id)
            throw new InvalidOperationException(
                $"Data key {key.Id} is wrapped by master key {key.MasterKeyId}, but this server has {master.Id}. Finish the master key rotation (docs/privacy.md).");
        if (_unwrapped.Count > MaxCachedKeys)
            _unwrapped.Clear();
        return _unwrapped.GetOrAdd((key.Id, key.WrappedKey), k => master.Unwrap(k.Wrapped, k.Id.ToString()));
    }

    private static (Guid KeyId, string Body)? Parse(string? stored)
    {
        if (stored is null || !stored.StartsWith(Prefix, StringComparison.Ordinal))
            return null;
        var rest = stored.AsSpan(Prefix.Length);
        return rest.Length > 33 && rest[32] == ':' && Guid.TryParseExact(rest[..32], "N", out var id) ? (id, rest[33..].ToString()) : null;
    }

    /// <summary>The keys of one batch of texts. Text that was never sealed (a tombstone's "", or older data) reads as it is.</summary>
    public sealed class Plaintexts(ContentCipher cipher, IReadOnlyDictionary<Guid, DataKey> keys)
    {
        /// <returns>The text, or <see cref="ErasedText"/> and when its key was destroyed.</returns>
        public (string Text, DateTimeOffset? ErasedAt) Read(string stored)
        {
            // Unsealed, or a user who typed something that looks sealed: keys are never shown, so it names none of ours.
            if (Parse(stored) is not { } parsed || !keys.TryGetValue(parsed.KeyId, out var key))
                return (stored, null);
            if (key.WrappedKey is null)
                return (ErasedText, key.ErasedAt);
            try
            {
                return (Encoding.UTF8.GetString(MasterKey.Open(cipher.Unwrapped(key), parsed.Body, parsed.KeyId.ToByteArray())), null);
            }
            catch (Exception e) when (e is CryptographicException or FormatException)
            {
                cipher.Undecryptable(parsed.KeyId);
                return (stored, null);
            }
        }

        public MessageView Reveal(MessageView message) => Read(message.Content) switch
        {
            (var text, null) => message with { Content = text },
            (var text, var erasedAt) => message with { Content = text, Attachments = [], ErasedAt = erasedAt },
        };
    }
}

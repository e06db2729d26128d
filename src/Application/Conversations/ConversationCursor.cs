using System.Globalization;
using EventChat.Projections;

namespace EventChat.Application.Conversations;

/// <summary>
/// The conversation list's cursor: a <see cref="NewestFirstCursor"/> over (last activity, conversation id). It names a
/// place in the caller's own list and nothing else, so it needs no signature.
/// </summary>
public static class ConversationCursor
{
    private const byte Format = 1;

    /// <summary>
    /// SQL that is true for the conversations after the position bound to its two <c>?</c> (<see cref="TryRead"/>), in
    /// the list's order. The time goes in as text and is cast as Marten casts the stored one, so both are rounded to
    /// PostgreSQL's microseconds alike and the conversation at the cursor compares equal to it.
    /// </summary>
    public const string After = "(CAST(d.data ->> 'lastActivityAt' as timestamptz), d.id) < (CAST(? as timestamptz), ?)";

    public static string Issue(ConversationView view) => NewestFirstCursor.Encode(Format, view.LastActivityAt, view.Id);

    /// <summary>The parameters of <see cref="After"/> for a cursor of this list; false for anything else.</summary>
    public static bool TryRead(string? cursor, out object[] position)
    {
        var valid = NewestFirstCursor.TryDecode(cursor, Format, out var at, out var id);
        position = valid ? [at.ToString("O", CultureInfo.InvariantCulture), id] : [];
        return valid;
    }
}

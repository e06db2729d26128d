using EventChat.Application.Privacy;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Conversations;

/// <summary>
/// Full-text search over the current text of the messages in the caller's conversations (or in one of
/// them), best match first. <see cref="Q"/> is web-search syntax: words (all must match, stemmed),
/// <c>"a phrase"</c>, <c>or</c>, <c>-word</c>.
/// </summary>
public sealed record SearchMessages(Guid UserId, string? Q, Guid? ConversationId = null, int? Limit = null) : IQuery<SearchResults>
{
    public const int MaxQueryLength = 200;
    public const int DefaultLimit = 20;
    public const int MaxLimit = 50;
}

/// <param name="Rank">Higher is better; only comparable within one response. An exact phrase match adds 1.</param>
/// <param name="Snippet">HTML: the message text around the match with every character escaped, matches in <c>&lt;mark&gt;</c>.</param>
public sealed record SearchHit(MessageView Message, Guid ConversationId, double Rank, string Snippet);

public sealed record SearchResults(IReadOnlyList<SearchHit> Items);

public sealed class SearchMessagesValidator : AbstractValidator<SearchMessages>
{
    public SearchMessagesValidator()
    {
        RuleFor(q => q.Q).NotEmpty().MaximumLength(SearchMessages.MaxQueryLength);
        RuleFor(q => q.Limit).InclusiveBetween(1, SearchMessages.MaxLimit);
    }
}

public sealed class SearchMessagesHandler(IQuerySession session, ContentCipher cipher) : IQueryHandler<SearchMessages, SearchResults>
{
    public async ValueTask<SearchResults> Handle(SearchMessages query, CancellationToken ct)
    {
        if (query.ConversationId is { } conversationId)
            await session.LoadVisibleConversation(conversationId, query.UserId, ct);
        var memberOf = ConversationMembership.Member(query.UserId);
        var limit = query.Limit ?? SearchMessages.DefaultLimit;
        var (sql, parameters) = query.ConversationId is { } only
            ? (Sql.InOneConversation, new object[] { query.Q!, query.Q!, memberOf, only, limit })
            : (Sql.Everywhere, [query.Q!, query.Q!, memberOf, limit]);
        var hits = await session.AdvancedSql.QueryAsync<SearchHit>(sql, ct, parameters);
        if (hits.Count == 0)
            return new([]);
        var messages = await session.WithReplyPreviews(cipher, [.. hits.Select(h => h.Message)], ct);
        var snippets = await session.AdvancedSql.QueryAsync<string>(Sql.Snippets, ct, query.Q!, messages.Select(m => m.Content).ToArray());
        return new([.. hits.Select((h, i) => h with { Message = messages[i], Snippet = snippets[i] })]);
    }

    /// <summary>
    /// Two round trips. The first finds the hits: the match must use <see cref="MessageSearch.Vector"/> so that
    /// the GIN index on the search table answers it; membership is a semi-join on the conversations whose
    /// participantIds contain the caller (ConversationMembership, answered by the participants index), so no list
    /// of ids travels to and fro. Deleted messages have no index row, and are excluded explicitly too. The stored text is encrypted,
    /// so the second round trip hands the decrypted texts of the returned rows to ts_headline as parameters
    /// (they are not stored). The text is HTML-escaped before ts_headline so that the snippet can be shown as
    /// HTML; the escapes are entity tokens to the parser, so matching is unchanged.
    /// </summary>
    private static class Sql
    {
        // A chat message this short is shown whole; a longer one as a window of words around the best match.
        private const string SnippetWholeUpTo = "280"; // characters

        private static readonly string Template = $"""
            with hits as (
              select m.id, m.data, m.conversation_id, (m.data ->> 'sentAt')::timestamptz as sent_at,
                     ts_rank_cd({MessageSearch.Vector}, terms, 32)
                       + case when numnode(phrase) > 1 and {MessageSearch.Vector} @@ phrase then 1 else 0 end as rank
              from {MessageSearch.Table} s
                   join {MartenTables.DocumentTable<MessageView>()} m on m.id = s.message_id,
                   websearch_to_tsquery('{MessageSearch.Config}', ?) as terms,
                   phraseto_tsquery('{MessageSearch.Config}', ?) as phrase
              where {MessageSearch.Vector} @@ terms
                and m.data ->> 'deletedAt' is null
                and s.conversation_id in (select c.id from {MartenTables.DocumentTable<ConversationView>()} c where {ConversationMembership.Includes("c")})
                /*conversation*/
              order by rank desc, sent_at desc, m.id
              limit ?
            )
            select jsonb_build_object(
                'message', h.data,
                'conversationId', h.conversation_id,
                'rank', round(h.rank::numeric, 6),
                'snippet', '')
            from hits h
            order by h.rank desc, h.sent_at desc, h.id
            """;

        public static readonly string Everywhere = Template.Replace("/*conversation*/", "");
        public static readonly string InOneConversation = Template.Replace("/*conversation*/", "and s.conversation_id = ?");

        /// <summary>One snippet per text, in the order given.</summary>
        public const string Snippets = $"""
            select ts_headline('{MessageSearch.Config}',
                replace(replace(replace(replace(replace(t.body,
                    '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;'),
                q.terms,
                case when length(t.body) <= {SnippetWholeUpTo}
                    then 'StartSel=<mark>, StopSel=</mark>, HighlightAll=true'
                    else 'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=15' end)
            from websearch_to_tsquery('{MessageSearch.Config}', ?) as q(terms),
                 unnest(?::text[]) with ordinality as t(body, n)
            order by t.n
            """;
    }
}

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

public sealed class SearchMessagesHandler(IQuerySession session) : IQueryHandler<SearchMessages, SearchResults>
{
    public async ValueTask<SearchResults> Handle(SearchMessages query, CancellationToken ct)
    {
        if (query.ConversationId is { } conversationId)
            await session.LoadVisibleConversation(conversationId, query.UserId, ct);
        var memberOf = $$"""{"participantIds":["{{query.UserId}}"]}""";
        var limit = query.Limit ?? SearchMessages.DefaultLimit;
        var (sql, parameters) = query.ConversationId is { } only
            ? (Sql.InOneConversation, new object[] { query.Q!, query.Q!, memberOf, only, limit })
            : (Sql.Everywhere, [query.Q!, query.Q!, memberOf, limit]);
        var hits = await session.AdvancedSql.QueryAsync<SearchHit>(sql, ct, parameters);
        var messages = await session.WithReplyPreviews([.. hits.Select(h => h.Message)], ct);
        return new([.. hits.Select((h, i) => h with { Message = messages[i] })]);
    }

    /// <summary>
    /// One round trip. The match must use <see cref="MessageSearch.Vector"/> verbatim to be answered from
    /// the GIN index; membership is a semi-join on the conversations whose participantIds contain the caller
    /// (the GIN index on conversation data), so no list of ids travels to and fro. Deleted messages have
    /// empty content and never match, and are excluded explicitly too. Only the returned rows pay for
    /// ts_headline, which re-parses the text. The text is HTML-escaped before ts_headline so that the
    /// snippet can be shown as HTML; the escapes are entity tokens to the parser, so matching is unchanged.
    /// </summary>
    private static class Sql
    {
        // A chat message this short is shown whole; a longer one as a window of words around the best match.
        private const string SnippetWholeUpTo = "280"; // characters

        private const string Template = $"""
            with hits as (
              select m.id, m.data, m.conversation_id, (m.data ->> 'sentAt')::timestamptz as sent_at, terms,
                     ts_rank_cd({MessageSearch.Vector}, terms, 32)
                       + case when numnode(phrase) > 1 and {MessageSearch.Vector} @@ phrase then 1 else 0 end as rank
              from mt_doc_messageview m,
                   websearch_to_tsquery('{MessageSearch.Config}', ?) as terms,
                   phraseto_tsquery('{MessageSearch.Config}', ?) as phrase
              where {MessageSearch.Vector} @@ terms
                and m.data ->> 'deletedAt' is null
                and m.conversation_id in (select c.id from mt_doc_conversationview c where c.data @> ?::jsonb)
                /*conversation*/
              order by rank desc, sent_at desc, m.id
              limit ?
            )
            select jsonb_build_object(
                'message', h.data,
                'conversationId', h.conversation_id,
                'rank', round(h.rank::numeric, 6),
                'snippet', ts_headline('{MessageSearch.Config}',
                    replace(replace(replace(replace(replace(h.data ->> 'content',
                        '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;'),
                    h.terms, case when length(h.data ->> 'content') <= {SnippetWholeUpTo}
                        then 'StartSel=<mark>, StopSel=</mark>, HighlightAll=true'
                        else 'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=15' end))
            from hits h
            order by h.rank desc, h.sent_at desc, h.id
            """;

        public static readonly string Everywhere = Template.Replace("/*conversation*/", "");
        public static readonly string InOneConversation = Template.Replace("/*conversation*/", "and m.conversation_id = ?");
    }
}

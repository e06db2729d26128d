namespace EventChat.Projections;

/// <summary>
/// The full-text index over message content, spelled once so that the index (ProjectionsSetup) and the
/// query that relies on it (SearchMessages) cannot drift apart: PostgreSQL uses an expression index only
/// for a query that repeats its expression.
/// </summary>
public static class MessageSearch
{
    /// <summary>
    /// <c>english</c>: stemming ("running" finds "run", "messages" finds "message") and English stop words
    /// ("the", "a") are not indexed. Changing it rebuilds the index and changes what matches.
    /// </summary>
    public const string Config = "english";

    /// <summary>The indexed <c>tsvector</c>, for a query that names <c>mt_doc_messageview</c> <c>m</c>.</summary>
    public const string Vector = $"to_tsvector('{Config}'::regconfig, m.data ->> 'content')";
}

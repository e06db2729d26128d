namespace EventChat.Projections;

/// <summary>
/// The full-text configuration, spelled once so that the index (its rows are written by the Application's
/// MessageSearchIndex) and the query that relies on it (SearchMessages) cannot drift apart.
/// </summary>
public static class MessageSearch
{
    /// <summary>
    /// <c>english</c>: stemming ("running" finds "run", "messages" finds "message") and English stop words
    /// ("the", "a") are not indexed. Changing it rebuilds the index and changes what matches.
    /// </summary>
    public const string Config = "english";

    /// <summary>The indexed <c>tsvector</c>, for a query that names the search table <c>s</c>.</summary>
    public const string Vector = "s.vector";
}

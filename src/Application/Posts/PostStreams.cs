using EventChat.Domain;
using EventChat.Domain.Posts;
using JasperFx.Events;
using Marten;

namespace EventChat.Application.Posts;

/// <summary>Opening a post stream for a decision, shared by the commands that write to one.</summary>
public static class PostStreams
{
    /// <summary>
    /// The stream and its current state, locked against other writers until the session saves: racing
    /// likes queue up and each decides on the state the previous one left, so counts stay exact.
    /// </summary>
    public static Task<(IEventStream<Post> Stream, Post State)> OpenPost(this IDocumentSession session, Guid postId, CancellationToken ct) =>
        session.OpenExisting<Post>(postId, "Post", ct);
}

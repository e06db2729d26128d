using EventChat.Domain.Posts;

namespace EventChat.Domain.Tests;

public sealed class CreatingPosts : PostSpec
{
    [Fact]
    public void A_post_is_created_by_its_author_with_no_likes_or_comments()
    {
        var created = Post.Write(PostId, Alice, "  first post  ", Now);

        Assert.Equal(new PostCreated(PostId, Alice, "  first post  ", Now), created);
        var post = Given(created);
        Assert.Equal((PostId, Alice, 0, 0L), (post.Id, post.AuthorId, post.LikeCount, post.CommentCount));
    }
}

public sealed class LikingPosts : PostSpec
{
    [Fact]
    public void Liking_a_post_records_who_liked_it()
    {
        var liked = Given(Created(Alice)).Like(Bob, Now);

        Assert.Equal(new PostLiked(PostId, Bob, Now), liked);
    }

    [Fact]
    public void A_second_like_by_the_same_user_changes_nothing()
    {
        var start = Created(Alice);
        var liked = Given(start).Like(Bob, Now)!;

        Assert.Null(Given(start, liked).Like(Bob, Now));
        Assert.Equal(1, Given(start, liked).LikeCount);
    }

    [Fact]
    public void Likes_by_different_users_all_count()
    {
        var start = Created(Alice);
        var bob = Given(start).Like(Bob, Now)!;
        var carol = Given(start, bob).Like(Carol, Now)!;

        var post = Given(start, bob, carol);

        Assert.Equal(2, post.LikeCount);
        Assert.Equal([Bob, Carol], post.Likers.Order());
    }

    [Fact]
    public void An_author_may_like_their_own_post() =>
        Assert.Equal(new PostLiked(PostId, Alice, Now), Given(Created(Alice)).Like(Alice, Now));

    [Fact]
    public void Unliking_takes_the_like_back()
    {
        var start = Created(Alice);
        var liked = Given(start).Like(Bob, Now)!;

        var unliked = Given(start, liked).Unlike(Bob, Now);

        Assert.Equal(new PostUnliked(PostId, Bob, Now), unliked);
        Assert.Equal(0, Given(start, liked, unliked!).LikeCount);
    }

    [Fact]
    public void Unliking_a_post_you_do_not_like_changes_nothing()
    {
        var start = Created(Alice);
        var liked = Given(start).Like(Bob, Now)!;
        var unliked = Given(start, liked).Unlike(Bob, Now)!;

        Assert.Null(Given(start).Unlike(Bob, Now));
        Assert.Null(Given(start, liked).Unlike(Carol, Now));
        Assert.Null(Given(start, liked, unliked).Unlike(Bob, Now));
    }

    [Fact]
    public void A_user_may_like_again_after_unliking()
    {
        var start = Created(Alice);
        var liked = Given(start).Like(Bob, Now)!;
        var unliked = Given(start, liked).Unlike(Bob, Now)!;

        Assert.Equal(new PostLiked(PostId, Bob, Now), Given(start, liked, unliked).Like(Bob, Now));
    }
}

public sealed class CommentingOnPosts : PostSpec
{
    [Fact]
    public void A_comment_is_numbered_after_the_comments_before_it()
    {
        var start = Created(Alice);
        var first = Commented(Given(start), Bob);
        var second = Commented(Given(start, first), Alice, "thanks");

        Assert.Equal(1, first.Sequence);
        Assert.Equal(2, second.Sequence);
        Assert.Equal((PostId, Alice, "thanks"), (second.PostId, second.AuthorId, second.Content));
        Assert.Equal(2, Given(start, first, second).CommentCount);
    }

    [Fact]
    public void Likes_do_not_move_the_comment_numbering()
    {
        var start = Created(Alice);
        var liked = Given(start).Like(Bob, Now)!;
        var unliked = Given(start, liked).Unlike(Bob, Now)!;

        Assert.Equal(1, Commented(Given(start, liked, unliked), Carol).Sequence);
    }

    [Fact]
    public void A_comment_keeps_its_id_and_content_as_given()
    {
        var commentId = Guid.CreateVersion7();

        var comment = Given(Created(Alice)).Comment(commentId, Bob, " spaced ", Now);

        Assert.Equal(new PostCommented(PostId, commentId, Bob, " spaced ", 1, Now), comment);
    }
}

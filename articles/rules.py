"""Who may do what to an article on the desk.

Analysts write and edit their own drafts and submit them; editors, who hold `publish_article`,
edit anyone's article at any stage and decide what readers see. `user=None` is the operator at
the command line, who may do anything.
"""

from .models import Article


def may_publish(user) -> bool:
    """Publish, schedule, send back, withdraw, correct and mark as updated."""
    return user is None or user.has_perm("articles.publish_article")


def is_own(user, article: Article) -> bool:
    """Whether `user` started the article or is on its byline."""
    if article.pk is None or article.created_by_id == user.pk:
        return True
    return article.bylines.filter(author__user=user).exists()


def may_edit(user, article: Article) -> bool:
    """Change the article's text and details: an editor always, an analyst their own draft."""
    if user is None:
        return True
    if not user.has_perm("articles.change_article"):
        return False
    return may_publish(user) or (article.status == Article.Status.DRAFT and is_own(user, article))


def may_submit(user, article: Article) -> bool:
    return user is None or (
        user.has_perm("articles.change_article") and (may_publish(user) or is_own(user, article))
    )


def may_preview(user, article: Article) -> bool:
    """See the article as readers will, before they can: staff who may change it."""
    if not (user.is_active and user.is_staff and user.has_perm("articles.change_article")):
        return False
    return may_publish(user) or is_own(user, article)

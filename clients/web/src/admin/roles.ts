// Roles: an admin makes someone a moderator (or admin, or back to user) by username; the server sets it by id.
import { byId, el } from "../dom.js";
import { errorText, rest } from "../server.js";
import { findUser } from "../users.js";

export function rolesSection() {
  const username = el("input", { attrs: { id: "role-username", required: "", placeholder: "username", "aria-label": "Username" } });
  const role = el("select", { attrs: { id: "role-select", "aria-label": "Role" } },
    ...["user", "moderator", "admin"].map((name) => el("option", { text: name, attrs: { value: name } })));
  const form = el("form", { className: "inline-form", attrs: { id: "role-form" } }, username, role, el("button", { text: "Set role" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = byId("role-result");
    result.textContent = "";
    try {
      const user = await findUser(username.value.trim());
      const changed = await rest().setUserRole({ path: { userId: user.userId }, body: { role: role.value as "user" | "moderator" | "admin" } });
      result.textContent = `${changed.username} is now ${changed.role}. Their next token carries it.`;
    } catch (error) {
      result.textContent = errorText(error);
    }
  });
  return el("section", { className: "admin-section", attrs: { "aria-labelledby": "roles-heading" } },
    el("h2", { text: "Moderation: roles", attrs: { id: "roles-heading" } }),
    el("p", { className: "hint", text: "Moderators may end any live session, take its messages down, ban viewers, and delete any message." }),
    form,
    el("p", { attrs: { id: "role-result", role: "status" } }));
}

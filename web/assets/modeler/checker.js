// Checks an expression as deploy would, through GET /api/modeling/check, and remembers the
// answers: the properties panel asks again on every render, and one text at one place
// always gets the same answer.

export default function ExpressionChecker(config) {
  const settings = config.varnapot || {};
  const answers = new Map();
  const asked = new Map();

  function keyOf(site, text) {
    return site + "\u0000" + text;
  }

  // The answer already known: a problem, null when the text passes, undefined when not asked.
  this.known = function (site, text) {
    return answers.get(keyOf(site, text));
  };

  // The answer, asked once: a promise of the problem, or null.
  this.check = function (site, text) {
    const key = keyOf(site, text);
    if (answers.has(key)) { return Promise.resolve(answers.get(key)); }
    if (asked.has(key)) { return asked.get(key); }
    const url = settings.checkUrl + "?" + new URLSearchParams({ site: site, expression: text });
    const answer = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.ok) { return body.problem || null; }
          // A refused request (too long, say) is a problem of the text too.
          const fields = body.fields && body.fields.expression;
          return (fields && fields.join(" ")) || body.message || null;
        });
      })
      .then(function (problem) { answers.set(key, problem); return problem; })
      .finally(function () { asked.delete(key); });
    asked.set(key, answer);
    return answer;
  };
}

ExpressionChecker.$inject = ["config"];

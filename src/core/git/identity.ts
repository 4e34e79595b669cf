/**
 * The identity every commit greenline makes is attributed to, whatever the machine's git config says
 * (self-hosted runners and developer laptops have their own user.name/user.email; a revert or ledger commit
 * must not be attributed to them). The id-prefixed noreply address links the commits to the bot's account.
 */
export const BOT_NAME = 'github-actions[bot]';
export const BOT_EMAIL = '41898282+github-actions[bot]@users.noreply.github.com';

/**
 * `-c` options that go before the subcommand. Config alone is not enough (GIT_AUTHOR_* in the environment
 * wins over it) and env alone leaves the machine's config visible to commands that read it, so both are set.
 * `commit.gpgsign=false`: a machine configured to sign would otherwise prompt for a key or fail.
 */
export const BOT_CONFIG_ARGS: readonly string[] = [
  '-c', `user.name=${BOT_NAME}`,
  '-c', `user.email=${BOT_EMAIL}`,
  '-c', 'commit.gpgsign=false',
];

export const BOT_ENV: Readonly<Record<string, string>> = {
  GIT_AUTHOR_NAME: BOT_NAME,
  GIT_AUTHOR_EMAIL: BOT_EMAIL,
  GIT_COMMITTER_NAME: BOT_NAME,
  GIT_COMMITTER_EMAIL: BOT_EMAIL,
};

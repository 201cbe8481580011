// jikji: crawl, extract, store and export Korean tech-policy news.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Jikji (직지): a crawler and archive for Korean tech-policy news"};
  app.require_subcommand(1);
  app.set_version_flag("--version", [] { return jikji::cli::VersionText(); });

  jikji::cli::GlobalOptions global;
  int exit_code = 0;
  jikji::cli::CommandContext ctx{&global, &exit_code};
  jikji::cli::RegisterCrawl(app, ctx);
  jikji::cli::RegisterExtract(app, ctx);
  jikji::cli::RegisterExport(app, ctx);
  jikji::cli::RegisterStats(app, ctx);
  jikji::cli::RegisterGet(app, ctx);
  jikji::cli::RegisterVerify(app, ctx);
  jikji::cli::RegisterBackup(app, ctx);
  jikji::cli::RegisterRebuild(app, ctx);
  jikji::cli::RegisterRobots(app, ctx);
  jikji::cli::RegisterDaemon(app, ctx);

  CLI11_PARSE(app, argc, argv);
  return exit_code;
}

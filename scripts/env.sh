# shellcheck shell=bash
# Source this file (`source scripts/env.sh`, bash or zsh) to use the tools that
# scripts/install-tools put in this checkout. It changes only the current shell:
#   PATH               + .tools/cargo/bin (worker-build, wasm-bindgen) and node_modules/.bin
#   WASM_BINDGEN_BIN   \
#   WASM_OPT_BIN        } read by worker-build instead of downloading these tools
#   ESBUILD_BIN        /
#   WRANGLER_SEND_METRICS=false, CLOUDFLARE_CF_FETCH_ENABLED=false, WRANGLER_HIDE_BANNER=true,
#   WRANGLER_SEND_ERROR_REPORTS=false   keep `wrangler dev` offline and free of prompts

if [ -n "${BASH_SOURCE:-}" ]; then
  _linkpay_here=${BASH_SOURCE[0]}
elif [ -n "${ZSH_VERSION:-}" ]; then
  # shellcheck disable=SC2296 # zsh-only expansion
  _linkpay_here=${(%):-%x}
else
  _linkpay_here=$0
fi
LINKPAY_ROOT=$(cd "$(dirname "$_linkpay_here")/.." && pwd)
unset _linkpay_here

for _linkpay_dir in "$LINKPAY_ROOT/node_modules/.bin" "$LINKPAY_ROOT/.tools/cargo/bin"; do
  case ":$PATH:" in
    *":$_linkpay_dir:"*) ;;
    *) PATH="$_linkpay_dir:$PATH" ;;
  esac
done
unset _linkpay_dir

export PATH LINKPAY_ROOT
export WASM_BINDGEN_BIN="$LINKPAY_ROOT/.tools/cargo/bin/wasm-bindgen"
export WASM_OPT_BIN="$LINKPAY_ROOT/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$LINKPAY_ROOT/node_modules/.bin/esbuild"
export WRANGLER_SEND_METRICS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false
# The banner's update check would call the npm registry on every start.
export WRANGLER_HIDE_BANNER=true
export WRANGLER_SEND_ERROR_REPORTS=false

// SPDX-License-Identifier: MIT
// The command line of jailhouse-config, shared by its --help and the config
// reference so the two cannot disagree.
export const usage = `usage: jailhouse-config <command> ...
  compile CONFIG -o OUT.cell [--strict]        YAML (or .cell) to a .cell file, after validation
  decode IN.cell                               print a .cell file as YAML
  check SYSTEM CELL... [--cpus N] [--strict]   host-level checks of a system and the cells to run together
  diff OLD NEW [--exit-code]                   what changed, in partition terms
  create [--ssh HOST] [--from DIR] [-o OUT.yaml] an arm64 host's system config from its live state
         [--hypervisor-memory ADDR,SIZE] [--root-name NAME] [--save-live DIR]
         HOST: a lab host name, or user@host:port --key PATH --fingerprint SHA256:...;
         neither --ssh nor --from: this host
  dtb SYSTEM CELL -o OUT.dtb [--cmdline ARGS]  the device tree a Linux kernel boots with in CELL
      [--initrd-size N] [--mpidr CPU=MPIDR,...] [--uart-spi N]
         bootargs: console=ttyS0,115200 then ARGS. Placement, shared with
         \`jailhouse cell linux\`: in the cell's lowest RAM region (loadable,
         2 MiB aligned) the kernel goes at its start (+ text_offset), the DTB
         in its last whole 2 MiB block, the initrd of N bytes right below
         the DTB from a 4 KiB boundary. MPIDRs default to the CPU numbers.
  schema [system|cell]                         JSON Schema for editors
  reference                                    the config reference in markdown
Inputs may be YAML or .cell files. Warnings are printed and do not fail a
command unless --strict is given. Exit 0 ok, 1 invalid config (or configs
differ, with diff --exit-code), 2 bad usage, 3 internal error.`;

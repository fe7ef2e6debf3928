/**
 * Each PC's name in events: the policy field `deviceName` must differ per machine, which one policy file
 * cannot do. On Windows a startup script writes it from %COMPUTERNAME% (cmd expands it on the machine)
 * next to the policy the .reg files install; Group Policy Preferences (%ComputerName%), Jamf
 * ($COMPUTERNAME) and Intune ({{devicename}}) can set the same value themselves (docs/collector.md).
 */
import type { DeployOptions } from './options.js';

const KEYS = (o: DeployOptions) => [
  `HKLM\\SOFTWARE\\Policies\\Google\\Chrome\\3rdparty\\extensions\\${o.extensionId}\\policy`,
  `HKLM\\SOFTWARE\\Policies\\Microsoft\\Edge\\3rdparty\\extensions\\${o.edgeExtensionId}\\policy`,
];

/** `windows/set-device-name.cmd`: run as a computer startup script (GPO) or an Intune platform script (SYSTEM). */
export function setDeviceNameCmd(o: DeployOptions): string {
  const lines = [
    '@echo off',
    'rem Upload Guard: report this PC by its name (policy deviceName), for Chrome and Edge.',
    'rem Upload Guard: このPCの名前をイベントに記録します（ポリシー deviceName）。Chrome と Edge の両方に設定します。',
    'rem Run as SYSTEM or an administrator: GPO computer startup script, or an Intune platform script.',
    ...KEYS(o).map((k) => `reg add "${k}" /v deviceName /t REG_SZ /d "%COMPUTERNAME%" /f >nul`),
    'exit /b %errorlevel%',
    '',
  ];
  return lines.join('\r\n');
}

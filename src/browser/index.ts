// `som/browser`: finding and launching the system Chromium the web marker and the agent drive.
export * from "./launch.js";

/** The category lists `som task classify` and `som eval classify` offer a model. */
export interface VocabularyEntry {
  /** Category id written to outputs (COCO panoptic ids for "coco"). */
  id: number;
  /** The name shown to the model. */
  name: string;
  /** The data set's own name, written to outputs. */
  official: string;
  isthing: boolean;
  synonyms?: readonly string[];
}

export interface Vocabulary {
  name: string;
  entries: readonly VocabularyEntry[];
}
